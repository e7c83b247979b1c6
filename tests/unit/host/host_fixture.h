// A real libuv loop, a ProcessRunner and helpers to wait for its callbacks with a
// deadline (a uv_timer watchdog, never a bare sleep). TearDown checks what every host
// test must leave behind: no live process of any group it started, and a loop that
// closes cleanly (uv_loop_close() == 0, so no handle leaked).
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>
#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "daemon/host/process_runner.h"
#include "daemon/host/sys.h"

namespace arbor::host::testing {

struct Event {
  enum class Kind { spawned, start_failed, ready, exited, log_dropped, status_text };
  Kind kind;
  std::uint64_t token = 0;
  int pid = 0;
  std::string text;  // start_failed: the error; log_dropped: the path; status_text: the text
  WaitStatus status;
  std::uint64_t bytes = 0;
  bool group_gone_at_callback = false;  // exited: kill(-pgid, 0) == ESRCH when reported
};

class HostTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Replaces the runner (e.g. with other log settings). Only while nothing runs.
  void make_runner(config::LogsSpec logs = {});

  // A worker running arbor_test_child with `args`, output captured to the log.
  static config::WorkerSpec child(std::vector<std::string> args);
  static std::string test_child_path();
  // `spec` ready when it writes to fd 3.
  static config::WorkerSpec ready_on_fd(config::WorkerSpec spec);

  void spawn(std::uint64_t token, const config::WorkerSpec& spec, const std::string& path = "w");

  // Runs the loop until `done` holds; false (and a test failure) after `timeout_ms`.
  bool run_until(const std::function<bool()>& done, std::uint64_t timeout_ms = 10000);
  // Runs the loop for `ms`: only to check that something does NOT happen. Returns the
  // number of loop iterations (wakeups) it took.
  int run_for(std::uint64_t ms);

  const Event* find(Event::Kind kind, std::uint64_t token) const;
  // Waits for the token's exited (or start_failed) event and returns it (nullptr on timeout).
  const Event* wait_end(std::uint64_t token);
  const Event* wait_for(Event::Kind kind, std::uint64_t token);
  // Index of the first event of `kind` for `token` in events_, or -1.
  int index_of(Event::Kind kind, std::uint64_t token) const;

  std::string read_file(const std::string& path) const;
  std::string log_path(const std::string& worker_path) const;
  std::vector<std::string> log_lines(const std::string& worker_path) const;

  Sys* sys_ = nullptr;  // set before SetUp to run the runner on a fake kernel (sys_fault_test)
  // Set before make_runner() to run workers in cgroups; the test closes the runner before
  // the tree goes.
  CgroupTree* cgroups_ = nullptr;
  uv_loop_t loop_{};
  uv_timer_t watchdog_{};
  std::string dir_;  // a fresh temporary directory, removed afterwards
  std::unique_ptr<ProcessRunner> runner_;
  std::vector<Event> events_;
  std::set<int> pgids_;  // every group started, checked in TearDown
  std::set<std::uint64_t> tokens_;
};

}  // namespace arbor::host::testing
