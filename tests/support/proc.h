// What the tests read outside arbord: /proc (a process's descriptors, memory, state and
// group), a node of a status reply, a shell command's output, a program's run (its exit
// status, stdout and stderr apart), and a bounded poll for external state that no event
// announces.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace arbor::testing {

using namespace std::chrono_literals;

// The node at `path` ("/", "a", "sup/x") in a status result, or nullptr.
const nlohmann::json* find_node(const nlohmann::json& status, const std::string& path);

// /proc readers (0 / '\0' / empty when the process is gone).
std::size_t fd_count(pid_t pid);
long rss_kb(pid_t pid);                        // VmRSS
char proc_state(pid_t pid);                    // 'R', 'S', 'T', 'Z'... or '\0'
std::vector<pid_t> group_members(pid_t pgid);  // every process whose pgrp is pgid
// Dead: gone, or a zombie (nothing of it runs any more).
bool dead(pid_t pid);

// What is left of the time until `deadline`, never negative: the bound of one wait.
std::chrono::milliseconds time_left(std::chrono::steady_clock::time_point deadline);

// Polls `done` every 10 ms until it holds or `timeout` passes. Only for external state that
// no event announces (a process's /proc state, the kernel reparenting orphans).
bool poll_until(const std::function<bool()>& done, std::chrono::milliseconds timeout);

// The children of `parent` whose state is `state` ('Z': zombies), from /proc.
std::vector<pid_t> children_of(pid_t parent, char state);

// For a failure's report: `root` and every descendant, one block each with its state,
// command, wait channel, the system call it is in and its kernel stack (root only): what a
// process that stopped answering was doing.
std::string process_snapshot(pid_t root);

// Runs a shell command, returns its exit status and its stdout+stderr.
int run_command(const std::string& command, std::string& output);

// How a program run by run() ended: its exit status (128 + the signal when killed, -1 when
// it could not be started) and what it wrote on stdout and on stderr.
struct RunResult {
  int status = -1;
  std::string out;
  std::string err;
};
// Runs argv (argv[0] a path; no shell, no PATH lookup) to its exit, capturing stdout and
// stderr apart, with `env` (NAME=VALUE, each replacing this process's) in its environment. Bounded: past
// `timeout` it is killed and the test fails.
RunResult run(std::vector<std::string> argv, std::chrono::milliseconds timeout = 10s,
              const std::vector<std::string>& env = {});

#ifdef ARBORCTL_BIN
// The real arborctl on `socket`: run({arborctl, "--socket", socket, args...}).
inline RunResult arborctl(const std::string& socket, std::vector<std::string> args,
                          std::chrono::milliseconds timeout = 10s) {
  args.insert(args.begin(), {ARBORCTL_BIN, "--socket", socket});
  return run(std::move(args), timeout);
}
#endif

}  // namespace arbor::testing
