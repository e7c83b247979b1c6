// Spawn of one worker (clone + exec), with its setup failures named by stage.
//
// Why not uv_spawn: libuv 1.44 reaps by calling waitpid on every child for each SIGCHLD
// (O(children) per exit) and must not share the process with a subreaper. ProcessRunner
// reaps through pidfds instead (see reaper.h), so it spawns itself.
//
// Why not fork: it copies arbord's page tables and descriptor table, and exec then closes
// every descriptor again, so each spawn cost O(workers) (1.2 ms per spawn with 5,000
// workers running). The child is a clone sharing arbord's memory and descriptor table
// while arbord waits (as posix_spawn does), and it keeps only a few low descriptors.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "daemon/host/exec_env.h"
#include "daemon/host/sys.h"

namespace arbor::host {

// Where the child's fd 1 or 2 goes.
struct ChildOutput {
  enum class Kind { inherit, null, fd, file };
  Kind kind = Kind::inherit;
  int fd = -1;       // Kind::fd: a parent descriptor (the log pipe's write end)
  std::string path;  // Kind::file
};

struct SpawnPlan {
  const CStringArray* argv = nullptr;  // argv->data()[0] is the path exec'd (no PATH search)
  const CStringArray* envp = nullptr;
  std::optional<std::string> cwd;
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;
  std::optional<mode_t> umask;
  ChildOutput out;
  ChildOutput err;
  int ready_source = -1;  // parent descriptor that becomes fd ready_target in the child
  int ready_target = -1;  // >= 3
  // Held listening sockets (listen_sockets.h): parent descriptors that become the child's
  // fds 3, 4, ... (O_NONBLOCK cleared: each start sees them alike, whatever the last one
  // set), and the envp entry "LISTEN_PID=0000000000" whose digits the child overwrites with
  // its own pid. ready_target is above them (the config checks it).
  const std::vector<int>* listen_fds = nullptr;
  char* listen_pid = nullptr;
  // cgroups on: the worker's cgroup directory (absolute). The child starts in it
  // (clone3 CLONE_INTO_CGROUP), or, where clone3 or the trampoline is missing, moves
  // itself there first thing, before any of the worker's own code runs.
  const std::string* cgroup_dir = nullptr;
  // The digits of "WATCHDOG_PID=..." in *envp (room for 10 and a NUL): the child writes its
  // own pid there before exec, since only the child knows it (it shares this memory).
  char* watchdog_pid = nullptr;
};

struct SpawnResult {
  pid_t pid = -1;     // also the worker's pgid and sid
  int pidfd = -1;     // O_CLOEXEC; the caller owns it
  std::string error;  // "STAGE: strerror" when pid == -1
  bool ok() const { return pid > 0; }
};

// Spawns and execs `plan`. Returns once the exec has succeeded (or failed: then the child
// has been reaped and `error` says which stage failed and why, e.g.
// "exec: No such file or directory"). Blocks only for the child's setup, as uv_spawn does.
// arbord's side makes its system calls through `sys` (the child's stay raw: see sys.h).
SpawnResult spawn_process(const SpawnPlan& plan, Sys& sys = Sys::real()) noexcept;

// The error text for a failure in the parent before any fork ("pipe: Too many open files").
std::string stage_error(const char* stage, int err);

}  // namespace arbor::host
