#include "tests/unit/host/host_fixture.h"

#include <signal.h>
#include <stdlib.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace arbor::host::testing {

void HostTest::SetUp() {
  ASSERT_EQ(uv_loop_init(&loop_), 0);
  ASSERT_EQ(uv_timer_init(&loop_, &watchdog_), 0);
  char templ[] = "/tmp/arbor-host-XXXXXX";
  ASSERT_NE(mkdtemp(templ), nullptr);
  dir_ = templ;
  make_runner();
}

void HostTest::make_runner(config::LogsSpec logs) {
  if (runner_) runner_->close();
  RunnerOptions options{dir_ + "/logs", logs, sys_};
  options.cgroups = cgroups_;
  RunnerCallbacks callbacks;
  callbacks.spawned = [this](std::uint64_t token, int pid) {
    pgids_.insert(pid);
    events_.push_back({Event::Kind::spawned, token, pid, {}, {}, 0, false});
  };
  callbacks.start_failed = [this](std::uint64_t token, std::string error) {
    events_.push_back({Event::Kind::start_failed, token, 0, std::move(error), {}, 0, false});
  };
  callbacks.ready = [this](std::uint64_t token) {
    events_.push_back({Event::Kind::ready, token, 0, {}, {}, 0, false});
  };
  callbacks.status_text = [this](std::uint64_t token, std::string text) {
    events_.push_back({Event::Kind::status_text, token, 0, std::move(text), {}, 0, false});
  };
  callbacks.exited = [this](std::uint64_t token, WaitStatus status) {
    int pid = 0;
    if (const Event* s = find(Event::Kind::spawned, token)) pid = s->pid;
    const bool gone = pid > 0 && kill(-pid, 0) == -1 && errno == ESRCH;
    events_.push_back({Event::Kind::exited, token, pid, {}, status, 0, gone});
  };
  callbacks.log_dropped = [this](const std::string& path, std::uint64_t bytes) {
    events_.push_back({Event::Kind::log_dropped, 0, 0, path, {}, bytes, false});
  };
  runner_ = std::make_unique<ProcessRunner>(&loop_, std::move(options), std::move(callbacks));
}

void HostTest::TearDown() {
  if (runner_) {
    // Whatever a failed test left running is killed, so the next checks stay meaningful.
    for (std::uint64_t token : tokens_) runner_->signal(token, SIGKILL);
    run_until([this] { return runner_->live() == 0; }, 5000);
    runner_->close();
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&watchdog_), nullptr);
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_EQ(uv_loop_close(&loop_), 0) << "a libuv handle was left open";
  runner_.reset();
  for (int pgid : pgids_) {
    errno = 0;
    EXPECT_TRUE(kill(-pgid, 0) == -1 && errno == ESRCH) << "process group " << pgid << " still exists";
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string HostTest::test_child_path() { return ARBOR_TEST_CHILD; }

config::WorkerSpec HostTest::ready_on_fd(config::WorkerSpec spec) {
  spec.ready.kind = config::Ready::Kind::fd;
  spec.ready.fd = 3;
  return spec;
}

config::WorkerSpec HostTest::child(std::vector<std::string> args) {
  config::WorkerSpec spec;
  spec.command.push_back(test_child_path());
  for (auto& a : args) spec.command.push_back(std::move(a));
  return spec;
}

void HostTest::spawn(std::uint64_t token, const config::WorkerSpec& spec, const std::string& path) {
  tokens_.insert(token);
  const std::size_t before = events_.size();
  runner_->spawn(token, path, spec);
  EXPECT_EQ(events_.size(), before) << "spawn() called back synchronously";
}

bool HostTest::run_until(const std::function<bool()>& done, std::uint64_t timeout_ms) {
  bool expired = false;
  watchdog_.data = &expired;
  uv_timer_start(
      &watchdog_, [](uv_timer_t* t) { *static_cast<bool*>(t->data) = true; }, timeout_ms, 0);
  while (!done() && !expired) uv_run(&loop_, UV_RUN_ONCE);
  uv_timer_stop(&watchdog_);
  const bool ok = done();
  EXPECT_TRUE(ok) << "timed out after " << timeout_ms << " ms";
  return ok;
}

int HostTest::run_for(std::uint64_t ms) {
  bool expired = false;
  watchdog_.data = &expired;
  uv_timer_start(
      &watchdog_, [](uv_timer_t* t) { *static_cast<bool*>(t->data) = true; }, ms, 0);
  int iterations = 0;
  while (!expired) {  // set by the timer's callback, inside uv_run
    uv_run(&loop_, UV_RUN_ONCE);
    ++iterations;
  }
  return iterations;
}

const Event* HostTest::find(Event::Kind kind, std::uint64_t token) const {
  const int i = index_of(kind, token);
  return i < 0 ? nullptr : &events_[static_cast<std::size_t>(i)];
}

int HostTest::index_of(Event::Kind kind, std::uint64_t token) const {
  for (std::size_t i = 0; i < events_.size(); ++i) {
    if (events_[i].kind == kind && events_[i].token == token) return static_cast<int>(i);
  }
  return -1;
}

const Event* HostTest::wait_for(Event::Kind kind, std::uint64_t token) {
  if (!run_until([&] { return find(kind, token) != nullptr; })) return nullptr;
  return find(kind, token);
}

const Event* HostTest::wait_end(std::uint64_t token) {
  auto ended = [&] { return find(Event::Kind::exited, token) || find(Event::Kind::start_failed, token); };
  if (!run_until(ended)) return nullptr;
  const Event* e = find(Event::Kind::exited, token);
  return e != nullptr ? e : find(Event::Kind::start_failed, token);
}

std::string HostTest::read_file(const std::string& path) const {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string HostTest::log_path(const std::string& worker_path) const {
  std::string name = worker_path;
  for (char& c : name) c = c == '/' ? '.' : c;
  return dir_ + "/logs/" + name + ".log";
}

std::vector<std::string> HostTest::log_lines(const std::string& worker_path) const {
  std::vector<std::string> lines;
  std::istringstream in(read_file(log_path(worker_path)));
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace arbor::host::testing
