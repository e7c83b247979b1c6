#include "tests/fakes/fake_host.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

namespace arbor::testing {

namespace {
std::string signame(int s) {
  switch (s) {
    case 9:
      return "KILL";
    case 15:
      return "TERM";
    case 1:
      return "HUP";
    case 2:
      return "INT";
    case 10:
      return "USR1";
    default:
      return std::to_string(s);
  }
}
}  // namespace

void FakeHost::spawn(core::SpawnToken token, const std::string& path, const config::WorkerSpec& spec) {
  log.push_back("spawn " + path);
  pending_spawns.push_back(token);
  // A probe is answered by the test (probe_result), not by the process.
  const bool needs_ready =
      spec.ready.kind == config::Ready::Kind::notify || spec.ready.kind == config::Ready::Kind::fd;
  spawn_info[token] = {path, needs_ready};
}

void FakeHost::probe(core::SpawnToken token, std::uint64_t seq, const config::Probe& probe,
                     const config::WorkerSpec&) {
  const char* kinds[] = {"exec", "tcp", "http"};
  const auto it = procs.find(token);
  log.push_back(fmt::format("probe {} {}", it == procs.end() ? "(gone)" : it->second.path,
                            kinds[static_cast<int>(probe.kind)]));
  probes[token] = seq;
}

void FakeHost::cancel_probe(core::SpawnToken token) {
  if (probes.erase(token) == 0) return;
  const auto it = procs.find(token);
  log.push_back("cancel probe " + (it == procs.end() ? std::string("(gone)") : it->second.path));
}

void FakeHost::signal(core::SpawnToken token, int signo) {
  auto it = procs.find(token);
  if (signo == 18) {  // SIGCONT: counted, not logged, to keep sequences readable
    ++sigconts;
    return;
  }
  if (it == procs.end()) {
    log.push_back("signal (gone) " + signame(signo));
    return;
  }
  log.push_back("signal " + it->second.path + " " + signame(signo));
  const bool fatal = signo == 9 || (signo != 18 && ignore_term.count(it->second.path) == 0);
  if (fatal && !it->second.dying) {
    it->second.dying = true;
    pending_exits.emplace_back(token, ExitStatus::signal(signo));
  }
}

void FakeHost::arm_timer(core::TimerToken token, Millis deadline) {
  timers.emplace(std::make_pair(deadline, timer_seq++), token);
}

void FakeHost::cancel_timer(core::TimerToken token) {
  for (auto it = timers.begin(); it != timers.end(); ++it) {
    if (it->second == token) {
      timers.erase(it);
      return;
    }
  }
}

std::optional<core::SpawnToken> FakeHost::token_of(const std::string& path) const {
  for (const auto& [token, proc] : procs) {
    if (proc.path == path && !proc.dying) return token;
  }
  return std::nullopt;
}

void Harness::settle() {
  for (int guard = 0; guard < 100000; ++guard) {
    if (!host.pending_spawns.empty()) {
      const core::SpawnToken token = host.pending_spawns.front();
      host.pending_spawns.pop_front();
      const auto [path, needs_ready] = host.spawn_info[token];
      if (host.fail_spawn.count(path) > 0) {
        tree.on_spawn_failed(token, "exec: No such file or directory", now);
        continue;
      }
      const int pid = host.next_pid++;
      host.procs[token] = FakeHost::Proc{path, pid, needs_ready, false};
      tree.on_spawned(token, pid, now);
      if (needs_ready && host.auto_ready && host.never_ready.count(path) == 0) tree.on_ready(token, now);
      continue;
    }
    if (!host.pending_exits.empty()) {
      const auto [token, status] = host.pending_exits.front();
      host.pending_exits.pop_front();
      host.procs.erase(token);
      tree.on_exited(token, status, now);
      continue;
    }
    return;
  }
  ADD_FAILURE() << "settle() did not converge: a busy loop in the core?";
}

void Harness::advance(Millis ms) {
  const Millis until = now + ms;
  while (!host.timers.empty() && host.timers.begin()->first.first <= until) {
    auto it = host.timers.begin();
    now = std::max(now, it->first.first);
    const core::TimerToken token = it->second;
    host.timers.erase(it);
    tree.on_timer(token, now);
    settle();
  }
  now = until;
}

void Harness::probe_result(const std::string& path, bool passed, const std::string& error) {
  auto token = host.token_of(path);
  ASSERT_TRUE(token.has_value()) << "no live process at " << path;
  auto it = host.probes.find(*token);
  ASSERT_NE(it, host.probes.end()) << "no probe in flight at " << path;
  const std::uint64_t seq = it->second;
  host.probes.erase(it);
  tree.on_probe_result(*token, seq, passed, error, now);
  settle();
}

bool Harness::probing(const std::string& path) const {
  auto token = host.token_of(path);
  return token && host.probes.count(*token) > 0;
}

void Harness::watchdog(const std::string& path, bool trigger) {
  auto token = host.token_of(path);
  ASSERT_TRUE(token.has_value()) << "no live process at " << path;
  tree.on_watchdog(*token, trigger, now);
  settle();
}

void Harness::exit(const std::string& path, ExitStatus status) {
  auto token = host.token_of(path);
  ASSERT_TRUE(token.has_value()) << "no live process at " << path;
  host.procs.erase(*token);
  tree.on_exited(*token, status, now);
  settle();
}

void Harness::ready(const std::string& path) {
  auto token = host.token_of(path);
  ASSERT_TRUE(token.has_value()) << "no live process at " << path;
  tree.on_ready(*token, now);
  settle();
}

std::vector<std::string> Harness::take_log() {
  std::vector<std::string> out;
  out.swap(host.log);
  return out;
}

std::vector<std::string> Harness::event_lines() const {
  std::vector<std::string> out;
  for (const auto& e : host.events) {
    std::string line = fmt::format("{} {}", core::to_string(e.type), e.path);
    if (e.type == core::EventType::exited) line += fmt::format(" {}", core::to_string(e.reason));
    if (e.type == core::EventType::restarting) line += fmt::format(" {}", e.delay_ms);
    if (e.type == core::EventType::start_failed) line += " " + e.error;
    if (e.type == core::EventType::exited && e.health) line += " health";
    if (e.type == core::EventType::exited && e.watchdog) line += " watchdog";
    if (e.type == core::EventType::unhealthy) line += fmt::format(" {} {}", e.failures, e.error);
    out.push_back(line);
  }
  return out;
}

core::ChildState Harness::state(const std::string& path) const {
  const core::Node* n = tree.find(path);
  EXPECT_NE(n, nullptr) << path;
  return n == nullptr ? core::ChildState::stopped : n->state();
}

int Harness::restarts(const std::string& path) const {
  const core::Node* n = tree.find(path);
  EXPECT_NE(n, nullptr) << path;
  return n == nullptr ? -1 : n->restarts;
}

template <typename F>
core::OpResult Harness::run(F f) {
  std::optional<core::OpResult> result;
  f([&result](const core::OpResult& r) {
    EXPECT_FALSE(result.has_value()) << "reply called twice";
    result = r;
  });
  settle();
  EXPECT_TRUE(result.has_value()) << "no reply";
  return result.value_or(core::OpResult::failure(core::ErrorCode::busy, "no reply"));
}

core::OpResult Harness::stop(const std::string& p) {
  return run([&](const core::Reply& r) { tree.stop(p, r, now); });
}
core::OpResult Harness::start(const std::string& p) {
  return run([&](const core::Reply& r) { tree.start(p, r, now); });
}
core::OpResult Harness::restart(const std::string& p) {
  return run([&](const core::Reply& r) { tree.restart(p, r, now); });
}
core::OpResult Harness::remove(const std::string& p) {
  return run([&](const core::Reply& r) { tree.remove(p, r, now); });
}
core::OpResult Harness::add(const std::string& sup, config::ChildSpec spec) {
  return run([&](const core::Reply& r) { tree.add(sup, std::move(spec), r, now); });
}
core::OpResult Harness::add_dynamic(const std::string& sup, std::vector<std::string> args) {
  return run([&](const core::Reply& r) { tree.add_dynamic(sup, std::move(args), r, now); });
}

config::ChildSpec worker(const std::string& id, config::RestartType restart) {
  config::ChildSpec s;
  s.id = id;
  s.type = config::ChildType::worker;
  s.restart = restart;
  s.shutdown = config::Shutdown::after(5000);
  s.worker.command = {"/bin/true"};
  return s;
}

config::ChildSpec supervisor(const std::string& id, config::Strategy strategy,
                             std::vector<config::ChildSpec> children, int max_restarts,
                             std::int64_t max_seconds) {
  config::ChildSpec s;
  s.id = id;
  s.type = config::ChildType::supervisor;
  s.shutdown = config::Shutdown::infinite();
  s.supervisor->strategy = strategy;
  s.supervisor->children = std::move(children);
  s.supervisor->max_restarts = max_restarts;
  s.supervisor->max_seconds = max_seconds;
  return s;
}

config::ChildSpec dynamic(const std::string& id, std::optional<std::size_t> max_children,
                          config::RestartType restart) {
  config::ChildSpec s;
  s.id = id;
  s.type = config::ChildType::dynamic_supervisor;
  s.shutdown = config::Shutdown::infinite();
  s.supervisor->max_children = max_children;
  auto tmpl = worker("", restart);
  s.supervisor->child_template = std::make_shared<const config::ChildSpec>(tmpl);
  return s;
}

config::ChildSpec root(config::Strategy strategy, std::vector<config::ChildSpec> children, int max_restarts,
                       std::int64_t max_seconds) {
  return supervisor("/", strategy, std::move(children), max_restarts, max_seconds);
}

}  // namespace arbor::testing
