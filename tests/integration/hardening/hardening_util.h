// Helpers shared by the hardening tests: a raw control-socket client (SPEC §6), /proc
// readers for arbord's resources and for process groups, and a bounded poll for external
// state that no event announces.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace arbor::testing {

using namespace std::chrono_literals;

// One connection to arbord's control socket: newline-delimited JSON requests and replies.
class Control {
 public:
  Control() = default;
  ~Control();
  Control(const Control&) = delete;
  Control& operator=(const Control&) = delete;

  // Connects, retrying (bounded) while the socket is not there yet.
  bool connect(const std::string& socket, std::chrono::milliseconds timeout = 10s);
  // Sends {"id","cmd","args"} and returns the reply with that id, or nullopt on timeout/EOF.
  std::optional<nlohmann::json> call(const std::string& cmd, nlohmann::json args = nlohmann::json::object(),
                                     std::chrono::milliseconds timeout = 10s);
  void close();
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  int next_id_ = 1;
  std::string buffer_;
};

// The node at `path` ("/", "a", "sup/x") in a status result, or nullptr.
const nlohmann::json* find_node(const nlohmann::json& status, const std::string& path);

// /proc readers (nullopt / 0 when the process is gone).
std::size_t fd_count(pid_t pid);
long rss_kb(pid_t pid);                 // VmRSS
char proc_state(pid_t pid);             // 'R', 'S', 'T', 'Z'... or '\0'
std::vector<pid_t> group_members(pid_t pgid);  // every process whose pgrp is pgid
// Dead: gone, or a zombie (nothing of it runs any more).
bool dead(pid_t pid);

// Polls `done` every 10 ms until it holds or `timeout` passes. Only for external state that
// no log line announces (a process's /proc state, the kernel reparenting orphans).
bool poll_until(const std::function<bool()>& done, std::chrono::milliseconds timeout);

// Runs a shell command, returns its exit status and its stdout+stderr.
int run_command(const std::string& command, std::string& output);

}  // namespace arbor::testing
