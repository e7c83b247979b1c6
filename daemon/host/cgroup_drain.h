// CgroupDrain: "exited means empty" (SPEC §7). After a worker's main process ends (or a
// stop's SIGKILL), whatever is left in its cgroup is killed, and the worker counts as
// exited only once the kernel says the cgroup is empty (cgroup.events "populated 0",
// awaited through CgroupWatch: an event, never a timer).
//
// Killing: cgroup.kill (Linux >= 5.14) kills every process of the cgroup and any it is
// forking, at once. Without it: cgroup.freeze (no fork gets through a frozen cgroup),
// SIGKILL to each pid in cgroup.procs, again at each change until empty, then thaw (the
// cgroup is reused by the restart).
#pragma once

#include <sys/types.h>
#include <uv.h>

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>

#include "daemon/host/cgroup_watch.h"
#include "daemon/host/sys.h"

namespace arbor::host {

class CgroupDrain {
 public:
  // `has_kill`: the kernel has cgroup.kill (CgroupTree::has_kill).
  CgroupDrain(uv_loop_t* loop, Sys& sys, bool has_kill);

  // SIGKILLs every process in the cgroup `dir` (a stop's kill, a leader's exit). True when
  // it wrote cgroup.kill: then the cgroup must be renewed before the next clone3 into it
  // (CgroupTree::renew; Linux 6.x compares the target's kill count with the parent's, and
  // kills at birth a child cloned into a cgroup that was ever killed).
  bool kill(const std::string& dir);

  // The main process `leader` of the worker at `path` has exited (still a zombie): what is
  // left in `dir` outside its process group (it daemonized) is named in one warning, and
  // everything left is killed. Returns kill()'s answer (false when nothing was left).
  bool leader_exited(const std::string& path, const std::string& dir, pid_t leader);

  // Calls `done` once `dir` holds no process: at once when it is empty, else from the loop.
  // One wait per token; cancel() forgets it.
  void when_empty(std::uint64_t token, const std::string& dir, std::function<void()> done);
  void cancel(std::uint64_t token);
  std::size_t waiting() const { return waits_.size(); }
  void close();

 private:
  struct Wait {
    std::string dir;
    int wd = -1;
    std::function<void()> done;
  };
  bool populated(const std::string& dir);
  void kill_each(const std::string& dir);
  void changed(std::uint64_t token);

  Sys& sys_;
  bool has_kill_;
  CgroupWatch watch_;
  std::unordered_map<std::uint64_t, Wait> waits_;
};

}  // namespace arbor::host
