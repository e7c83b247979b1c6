// ProcessRunner: real worker processes on a libuv loop (the host half of the core's
// ProcessHost interface; daemon/app wires the two together).
//
// Contract with the caller:
//  - spawn() never calls back synchronously. Every outcome arrives later, from the loop,
//    through Callbacks, tagged with the caller's token (one token per spawn attempt).
//  - For a token, exactly one of {start_failed, exited} ends its life; spawned precedes
//    exited; ready (only when spec.ready is notify/fd) comes between spawned and exited
//    at most once; status_text (notify only) any number of times between them.
//  - exited is reported only after the worker's whole process group is gone (the
//    leader reaped and every other member killed and reaped), so the caller may
//    start the worker again at once without any process of the old one still alive.
//  - signal() reaches the worker's process group only while its leader is not yet
//    reaped, so a signal can never hit an unrelated process that reused the pid/pgid.
//  - A leader that exits 0 and leaves processes in other sessions (it daemonized) gets
//    one warning naming them; they are killed with its group, recorded in the group
//    record meanwhile, and exited waits for them too (see reaper.h).
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "config/tree_spec.h"
#include "daemon/host/listen_sockets.h"

namespace arbor::host {

class CgroupTree;
class GroupRecord;
class Sys;

// How a process ended, as waitid reported it.
struct WaitStatus {
  bool signaled = false;  // true: killed by `value` (a signal number); false: exited with code `value`
  int value = 0;
  bool oom = false;  // cgroups on: its cgroup's memory.events oom_kill grew while it ran
};

struct RunnerOptions {
  std::string log_dir;    // where "log" outputs go: <log_dir>/<path with / as .>.log
  config::LogsSpec logs;  // rotation
  Sys* sys = nullptr;     // the kernel (see sys.h); null: Sys::real(). Outlives the runner.
  // The groups of live workers, for the next arbord if this one is SIGKILLed (see
  // group_record.h); null: nothing is recorded (tests, or the file is unusable). Outlives
  // the runner.
  GroupRecord* record = nullptr;
  // cgroups on (cgroup_tree.h): every worker runs in a cgroup of its own, and exited waits
  // for it to be empty (cgroup_drain.h); null: process groups only. Outlives the runner.
  CgroupTree* cgroups = nullptr;
};

struct RunnerCallbacks {
  std::function<void(std::uint64_t token, int pid)> spawned;
  std::function<void(std::uint64_t token, std::string error)>
      start_failed;  // "exec: No such file or directory"
  std::function<void(std::uint64_t token)> ready;
  // A STATUS= line over the notify socket (workers with "ready": {"notify": true}), at any
  // time between spawned and exited.
  std::function<void(std::uint64_t token, std::string text)> status_text;
  // WATCHDOG=1 (trigger false) or WATCHDOG=trigger over the notify socket (workers with a
  // `watchdog`), at any time between spawned and exited.
  std::function<void(std::uint64_t token, bool trigger)> watchdog;
  std::function<void(std::uint64_t token, WaitStatus status)> exited;
  std::function<void(const std::string& path, std::uint64_t bytes)> log_dropped;
};

// A live worker as arbord hands it to the program it execs (`arborctl reexec`): the
// descriptors stay open across execve, the numbers are the same in the new program.
struct HandoverWorker {
  std::uint64_t token = 0;
  std::string path;
  pid_t pid = 0;
  int pidfd = -1;
  int log_fd = -1;            // the output pipe's read end; -1: output not captured
  std::string log_pending;    // a partial line read from it and not yet written
  bool ready_fd = false;      // true: ready_channel is an {"fd": N} pipe; false: a notify socket
  int ready_channel = -1;     // the readiness channel still open; -1: none (or done)
  std::string notify_name;    // a notify socket's "@name"
  int watchdog_channel = -1;  // a notify socket for WATCHDOG= alone
  std::string watchdog_name;
  bool forward_watchdog = false;           // the worker has a watchdog: WATCHDOG= on ready_channel counts
  std::string cgroup;                      // its cgroup directory (absolute); empty: cgroups off
  bool cgroup_renew = false;               // cgroup.kill was written into it: renewed before the next start
  std::optional<std::uint64_t> oom_kills;  // memory.events oom_kill at its spawn
};

class ProcessRunner {
 public:
  // Also makes the process a child subreaper (see become_subreaper). The runner reaps
  // every child of the process: nothing else in arbord may fork or uv_spawn.
  ProcessRunner(uv_loop_t* loop, RunnerOptions options, RunnerCallbacks callbacks);
  ~ProcessRunner();
  ProcessRunner(const ProcessRunner&) = delete;
  ProcessRunner& operator=(const ProcessRunner&) = delete;

  // Starts `spec` (a worker) for the child at `path` (docs/SEMANTICS.md form, e.g. "web/api").
  // Blocks only until the exec has succeeded or failed (as uv_spawn does). Outcomes:
  // spawned(token, pid), then maybe ready, then exited; or start_failed(token, "STAGE: why")
  // with STAGE one of pipe, dup, fork, pidfd, open log, notify socket, ready fd, listen fds,
  // setsid, signals, open stdin, open stdout, open stderr, chdir, setgroups, setgid, setuid,
  // pdeathsig, close fds, exec; or "listen tcp HOST:PORT: STEP: why (ERRNO)" for a socket
  // of spec.listen that could not be opened. The sockets are opened at the first spawn of
  // `path` and held for the next ones (see listen_sockets.h).
  void spawn(std::uint64_t token, const std::string& path, const config::WorkerSpec& spec);

  // Sends `signo` to the worker's process group. No-op once the leader has been reaped.
  void signal(std::uint64_t token, int signo);

  // Closes the listening sockets held for `path` and every path below it (the child was
  // removed from the tree).
  void release_listen(const std::string& path);
  std::size_t listening() const;  // listening sockets held

  // Number of workers whose process (group) has not been fully reaped yet.
  std::size_t live() const;

  // reexec: every live worker with the descriptors to keep, or false and `why` when one
  // is between two steps (an exit being cleaned up, an escaped daemon, a callback not yet
  // delivered, a cgroup being emptied). `listen`: the held listening sockets. Changes nothing.
  bool handover(std::vector<HandoverWorker>& out, std::vector<HandoverListen>& listen,
                std::string& why) const;
  // The new program: takes over `workers` (their descriptors, their pidfds) as if it had
  // spawned them, without reporting `spawned`. An exit during the handover is seen next.
  void adopt(const std::vector<HandoverWorker>& workers, const std::vector<HandoverListen>& listen,
             const std::function<bool(const std::string& path)>& forwards_watchdog);

  // Closes every libuv handle and descriptor the runner owns (call before uv_loop_close,
  // then run the loop once more so the close callbacks run). Pending callbacks are
  // dropped. Workers are not touched: stop them first (live() == 0). Any other child of
  // the process still there (a daemon a worker left unseen) is SIGKILLed with its group.
  // Must not be followed by spawn(); may be called from a callback.
  void close();

  // prctl(PR_SET_CHILD_SUBREAPER): orphaned descendants of workers are reparented to
  // arbord, which reaps them (PID 1 may not), so a worker's group can be seen to empty.
  static void become_subreaper();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace arbor::host
