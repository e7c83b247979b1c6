#include "daemon/host/prober.h"

#include <signal.h>

#include <cstring>
#include <utility>

#include <fmt/format.h>

#include "daemon/host/probe_net.h"

namespace arbor::host {

namespace {

// The worker's identity and place, the probe's argv, and nothing of the worker's own
// plumbing (output, readiness, health, watchdog).
config::WorkerSpec exec_spec(const config::Probe& probe, const config::WorkerSpec& worker) {
  config::WorkerSpec s;
  s.command = probe.command;
  s.env = worker.env;
  s.cwd = worker.cwd;
  s.user = worker.user;
  s.group = worker.group;
  s.uid = worker.uid;
  s.gid = worker.gid;
  s.umask = worker.umask;
  s.stdout_spec.kind = config::Output::Kind::null;
  s.stderr_spec.kind = config::Output::Kind::null;
  return s;
}

std::string exec_error(WaitStatus status) {
  if (!status.signaled) return fmt::format("exec: exit {}", status.value);
  const char* name = sigabbrev_np(status.value);
  return name != nullptr ? fmt::format("exec: killed by SIG{}", name)
                         : fmt::format("exec: killed by signal {}", status.value);
}

}  // namespace

Prober::Prober(uv_loop_t* loop, ProcessRunner& runner) : loop_(loop), runner_(runner), queue_(loop) {}

Prober::~Prober() { close(); }

void Prober::run(std::uint64_t key, const config::Probe& probe, const config::WorkerSpec& spec, Done done) {
  cancel(key);  // one per key: the core never overlaps, but a stale one must not linger
  switch (probe.kind) {
    case config::Probe::Kind::tcp:
    case config::Probe::Kind::http: {
      auto* net = new NetProbe;
      std::string error;
      auto finished = [this, key](bool passed, std::string why) { finish_net(key, passed, std::move(why)); };
      if (!net->start(loop_, probe, std::move(finished), error)) {
        net->close_and_delete();
        queue_.post([done = std::move(done), error = std::move(error)] { done(false, error); });
        return;
      }
      net_[key] = Net{net, std::move(done)};
      return;
    }
    case config::Probe::Kind::exec: {
      const std::uint64_t token = kTokenBit | ++next_exec_;
      exec_[token] = Exec{key, std::move(done)};
      exec_of_[key] = token;
      runner_.spawn(token, "probe", exec_spec(probe, spec));
      return;
    }
  }
}

void Prober::finish_net(std::uint64_t key, bool passed, std::string error) {
  auto it = net_.find(key);
  if (it == net_.end()) return;
  Done done = std::move(it->second.done);
  net_.erase(it);  // the NetProbe has closed itself
  // Called from the connection's own callback, a turn of the loop of its own, and the key's
  // entry is gone: the owner may call run() or cancel() from its Done. No queue hop (one
  // allocation and a loop pass per probe, 1,000 a second in bench/health.sh).
  done(passed, error);
}

void Prober::cancel(std::uint64_t key) {
  if (auto it = net_.find(key); it != net_.end()) {
    it->second.probe->close_and_delete();
    net_.erase(it);
  }
  if (auto it = exec_of_.find(key); it != exec_of_.end()) {
    const std::uint64_t token = it->second;
    exec_of_.erase(it);
    if (auto e = exec_.find(token); e != exec_.end()) e->second.done = nullptr;  // reaped later
    runner_.signal(token, SIGKILL);
  }
}

void Prober::start_failed(std::uint64_t runner_token, const std::string& error) {
  exited_or_failed(runner_token, false, error);
}

void Prober::exited(std::uint64_t runner_token, WaitStatus status) {
  const bool passed = !status.signaled && status.value == 0;
  exited_or_failed(runner_token, passed, passed ? std::string() : exec_error(status));
}

void Prober::exited_or_failed(std::uint64_t runner_token, bool passed, const std::string& error) {
  auto it = exec_.find(runner_token);
  if (it == exec_.end()) return;
  Done done = std::move(it->second.done);
  if (auto k = exec_of_.find(it->second.key); k != exec_of_.end() && k->second == runner_token)
    exec_of_.erase(k);
  exec_.erase(it);
  if (done) done(passed, error);  // already on a later loop turn (the runner's queue)
}

void Prober::close() {
  for (auto& [key, net] : net_) net.probe->close_and_delete();
  net_.clear();
  exec_.clear();
  exec_of_.clear();
  queue_.close();
}

}  // namespace arbor::host
