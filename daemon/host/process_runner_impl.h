// ProcessRunner's state, shared by its two translation units: process_runner.cpp (spawn,
// exits, signals) and process_runner_handover.cpp (reexec: handing workers over, adopting
// them). Not for anyone else.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "daemon/host/callback_queue.h"
#include "daemon/host/cgroup_tree.h"
#include "daemon/host/cgroup_drain.h"
#include "daemon/host/listen_sockets.h"
#include "daemon/host/log_capture.h"
#include "daemon/host/log_file.h"
#include "daemon/host/process_runner.h"
#include "daemon/host/readiness.h"
#include "daemon/host/reaper.h"
#include "daemon/host/sys.h"

namespace arbor::host {

// Log files held open at once (see OpenLogs): more active writers than this cost an
// open and a close per chunk of output, fewer hold no descriptor per worker.
constexpr std::size_t kMaxOpenLogs = 32;

struct ProcessRunner::Impl {
  // One per live worker (5,000 of them at scale): 80 bytes. The cgroup's path is not kept
  // (CgroupTree::absolute(path) makes it when needed: the exit and the stop), the escaped
  // groups are rare and held out of line, and the OOM count uses no optional's flag word.
  struct Worker {
    std::unique_ptr<Readiness> readiness;
    std::unique_ptr<Readiness> watchdog;  // a notify socket for WATCHDOG= alone (no notify readiness)
    std::uint64_t capture_id = 0;         // 0: output not captured
    std::string path;
    std::unique_ptr<std::vector<pid_t>> escaped;  // groups of processes that escaped, in the record
    std::uint64_t oom_kills = 0;                  // memory.events oom_kill at spawn, if counts_oom
    pid_t pid = 0;                                // the leader, also the pgid
    bool in_cgroup = false;                       // false: cgroups off
    bool drained = false;     // its group is gone; waiting for (or done with) an empty cgroup
    bool renew = false;       // cgroup.kill was written: a new cgroup before the next start
    bool counts_oom = false;  // oom_kills was read (memory controller on)
    bool has_escaped() const { return escaped && !escaped->empty(); }
  };
  static_assert(sizeof(Worker) <= 80, "one per live worker: keep it small");
  // The worker's cgroup directory (absolute); only for one in a cgroup.
  std::string cgroup_of(const Worker& worker) const { return cgroups->absolute(worker.path); }

  Impl(uv_loop_t* loop_in, RunnerOptions options_in, RunnerCallbacks callbacks_in)
      : loop(loop_in),
        options(std::move(options_in)),
        sys(options.sys != nullptr ? *options.sys : Sys::real()),
        record(options.record),
        cgroups(options.cgroups),
        callbacks(std::move(callbacks_in)),
        queue(loop_in),
        reaper(loop_in, sys,
               Reaper::Hooks{
                   [this](std::uint64_t token, WaitStatus) { on_leader_exited(token); },
                   [this](std::uint64_t token, WaitStatus status) { on_group_gone(token, status); },
                   [this](std::uint64_t token, const std::vector<pid_t>& pids,
                          const std::vector<pid_t>& pgids) { on_escaped(token, pids, pgids); },
               }) {}

  void spawn(std::uint64_t token, const std::string& path, const config::WorkerSpec& spec);
  void on_leader_exited(std::uint64_t token);
  void on_group_gone(std::uint64_t token, WaitStatus status);
  std::uint64_t oom_kills(const std::string& cgroup_dir);
  void on_escaped(std::uint64_t token, const std::vector<pid_t>& pids, const std::vector<pid_t>& pgids);
  // `later` (reexec): not opened before its first write (LogFile::open_later).
  std::shared_ptr<LogFile> log_file_for(const std::string& path, std::string& error, bool later = false);
  void start_failed(std::uint64_t token, std::string error);
  void close();

  uv_loop_t* loop;
  RunnerOptions options;
  Sys& sys;
  GroupRecord* record;
  CgroupTree* cgroups;
  RunnerCallbacks callbacks;
  bool closed = false;
  CallbackQueue queue;               // declared before what it outlives: captures report drops into it
  OpenLogs open_logs{kMaxOpenLogs};  // outlives every LogFile (captures hold them)
  Reaper reaper;
  ListenSockets listen_sockets{sys};   // by worker path, held across restarts
  std::unique_ptr<CgroupDrain> drain;  // cgroups on
  std::unordered_map<std::uint64_t, Worker> workers;
  // Captures outlive their worker when an escaped descendant keeps the pipe open.
  std::unordered_map<std::uint64_t, std::unique_ptr<LogCapture>> captures;
  std::uint64_t next_capture_id = 0;
  // By log file name. Expired entries are swept when the map has doubled since the last
  // sweep, so the ever-new paths of dynamic children (jobs/1, jobs/2, ...) do not make it
  // grow for as long as arbord runs.
  std::unordered_map<std::string, std::weak_ptr<LogFile>> log_files;
  std::size_t log_files_swept_at = 0;
};

}  // namespace arbor::host
