// ArbordInstance: runs the real arbord on a config in a fresh temporary directory and
// lets a test await lines of its log (stderr) with a deadline, never a fixed sleep.
//
// The test process makes itself a child subreaper, so anything arbord leaves behind
// is reparented to it: no_survivors() then proves that no worker or grandchild
// outlived arbord.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <string>
#include <vector>

namespace arbor::testing {

using namespace std::chrono_literals;

class ArbordInstance {
 public:
  ArbordInstance();
  ~ArbordInstance();

  const std::string& dir() const { return dir_; }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }

  // Writes `tree` as the config ("socket" and "log_dir" default into dir()) and starts arbord.
  void start(nlohmann::json tree, std::vector<std::string> extra_args = {});
  // Waits for a log line matching `pattern` (ECMAScript regex, searched) after the cursor;
  // moves the cursor past it. Fails the test and returns nullopt on timeout.
  std::optional<std::string> await(const std::string& pattern, std::chrono::milliseconds timeout = 10s);
  // All lines so far, and only those matching a pattern.
  std::vector<std::string> lines();
  std::vector<std::string> matching(const std::string& pattern);
  // Sends a signal to arbord; waits for it to exit and returns its exit status.
  void signal(int signo);
  std::optional<int> wait_exit(std::chrono::milliseconds timeout = 15s);
  pid_t pid() const { return pid_; }
  // The pid arbord logged for `path` in its latest "started, pid N" line.
  std::optional<pid_t> pid_of(const std::string& path);
  // True when no descendant of this test process is left (zombies reaped first).
  bool no_survivors(std::chrono::milliseconds timeout = 3s);

 private:
  void read_available(std::chrono::milliseconds wait);

  std::string dir_;
  pid_t pid_ = -1;
  int stderr_fd_ = -1;
  std::string partial_;
  std::vector<std::string> lines_;
  std::size_t cursor_ = 0;
  std::optional<int> exit_status_;
};

// A worker spec running arbor_test_child with `args`.
nlohmann::json child(const std::string& id, std::vector<std::string> args, nlohmann::json extra = nlohmann::json::object());
std::string test_child();

}  // namespace arbor::testing
