// Reaping worker process groups: O(1) per exit, and safe against pid reuse.
//
// Each leader is watched through a pidfd (readable = exited), all of them in one epoll
// set of the reaper's own, which the loop watches as one descriptor: a libuv poll handle
// per worker would cost ~200 bytes of arbord's memory each, for nothing. On exit the status is read
// with WNOWAIT, so the zombie leader keeps its pid, which is also the pgid, reserved; only
// then is the group SIGKILLed and the leader reaped. The group is gone when
// kill(-pgid, 0) fails with ESRCH. Members left after the leader (dying, or zombies) are
// reparented to arbord, which is a child subreaper: each death raises SIGCHLD, the
// handler reaps every waitable child (reading its pgid first) and re-probes that group.
// Nothing polls on a timer. A pgid is never signalled after its group was seen empty.
//
// Linux coalesces SIGCHLDs that arrive together (one pending signal for any number of
// deaths), so counting them says nothing about how many children wait: every SIGCHLD
// leads to a scan that reaps waitable children until there is none, whatever their group
// or session. The scan is a constant number of system calls (one per zombie, plus the last
// that finds none), but the kernel walks the child list for each: O(children). So it runs
// in the iteration that saw the SIGCHLD (libuv's check phase) only when something waits
// on it: a group whose members must be reaped before it counts as gone, or a leader
// whose pidfd is not polled. Otherwise the zombies it would reap are orphans nothing
// waits on (leaders' exits come through their pidfds), and one scan kOrphanScanMs later
// answers every SIGCHLD of a burst: a stop of 5,000 workers walks the list a few dozen
// times, not 5,000. No zombie outlives kOrphanScanMs.
//
// Escaped processes (a program that daemonizes: setsid() in a child, the launcher exits 0)
// are children of arbord too, the subreaper, but in another session and group, so the
// group cleanup misses them. When a leader exits with status 0 (what a launcher does)
// arbord lists its own children (/proc/self/task/*/children): each live one that is
// neither a watched leader nor a member of a watched or already escaped group has
// escaped from this worker; its group is SIGKILLed with the worker's, and the worker's
// group counts as gone only once those are gone too. See docs/DESIGN.md for why this
// moment and this attribution, and what they miss until cgroups.
//
// The SIGCHLD handler reaps *every* child of the process (waitid P_ALL): nothing else in
// arbord may fork or uv_spawn children it expects to wait for.
#pragma once

#include <sys/types.h>
#include <uv.h>

#include <cstdint>
#include <functional>
#include <unordered_map>
#include <vector>

#include "daemon/host/process_runner.h"
#include "daemon/host/sys.h"
#include "daemon/uv/uv_handle.h"

namespace arbor::host {

class Reaper {
 public:
  struct Hooks {
    // The leader has exited and is still an unreaped zombie; the group has not been
    // killed yet (the runner drains the readiness channel here).
    std::function<void(std::uint64_t id, WaitStatus)> leader_exited;
    // The leader is reaped and the whole group is gone; `id` is forgotten.
    std::function<void(std::uint64_t id, WaitStatus)> group_gone;
    // At the leader's exit: processes `pids` (in groups `pgids`) had escaped the group;
    // they are being killed, and group_gone waits for them.
    using Escaped = std::function<void(std::uint64_t id, const std::vector<pid_t>& pids,
                                       const std::vector<pid_t>& pgids)>;
    Escaped escaped;
  };

  // `sys` outlives the reaper.
  Reaper(uv_loop_t* loop, Sys& sys, Hooks hooks);
  ~Reaper();
  Reaper(const Reaper&) = delete;
  Reaper& operator=(const Reaper&) = delete;

  // Makes this process the reaper of its orphaned descendants (PR_SET_CHILD_SUBREAPER).
  static void become_subreaper() noexcept;

  // Watches leader `pid` (a session and group leader) through `pidfd`, which it takes over.
  // `contained`: the worker has a cgroup of its own, which catches what escapes its group
  // (cgroup_drain.h), so the escape guess at an exit 0 is skipped.
  void watch(std::uint64_t id, pid_t pid, int pidfd, bool contained = false);

  // kill(-pgid, signo) while the leader `pgid` is watched and unreaped; returns false (and
  // does nothing) after.
  bool signal_group(pid_t pgid, int signo) noexcept;

  // Groups not yet known to be gone.
  std::size_t live() const noexcept { return groups_.size(); }

  // SIGKILLs every child of the process that is not a watched leader, with its group:
  // escaped processes no exit revealed (arbord is exiting). Returns their pids.
  std::vector<pid_t> kill_strays();

  // reexec: true when every watched group is a live (or unreaped) leader with nothing else
  // to clean up; else false and `why`. The pidfd of leader `pgid` (-1 if not watched).
  bool quiet(std::string& why) const;
  int pidfd(pid_t pgid) const;
  // Scans for waitable children now: a SIGCHLD that came during an exec was lost.
  void scan() { reap_children(); }

  // Releases handles and pidfds; processes are left alone (and still our children).
  void close() noexcept;

 private:
  struct Group {
    std::uint64_t id = 0;
    pid_t pgid = 0;  // the leader's pid
    int pidfd = -1;  // in epoll_ until the leader is reaped
    bool leader_reaped = false;
    bool cleaning = false;   // counted in cleaning_
    bool contained = false;  // in a cgroup of its own
    bool unpolled = false;   // its pidfd is not in epoll_: its exit is seen by the scan only
    WaitStatus status;
    std::vector<pid_t> escaped;  // groups of escaped processes not yet seen empty
  };

  static void on_pidfds(uv_poll_t* handle, int status, int events);
  static void on_sigchld(uv_signal_t* handle, int signo);
  static void on_check(uv_check_t* handle);
  static void on_later(uv_timer_t* handle);
  void handle_leader_exit(Group& group);
  void probe(Group& group);
  void find_escapees(Group& group);
  void schedule_scan();
  void reap_children();
  void release_leader_handles(Group& group) noexcept;

  int waitid_retry(idtype_t type, id_t id, siginfo_t* info, int options);
  bool group_exists(pid_t pgid);
  std::vector<pid_t> list_children();

  uv_loop_t* loop_;
  Sys& sys_;
  Hooks hooks_;
  uv::UvHandle<uv_signal_t> sigchld_;
  int epoll_ = -1;                  // the leaders' pidfds, keyed by pgid
  uv::UvHandle<uv_poll_t> pidfds_;  // epoll_ in the loop; referenced while watched_ > 0
  std::size_t watched_ = 0;
  // A burst of SIGCHLDs and leader exits in one loop iteration is answered by one scan,
  // from the check phase of that iteration.
  uv::UvHandle<uv_check_t> scan_;
  // A scan nothing waits on: once, kOrphanScanMs after the first SIGCHLD of a burst.
  static constexpr std::uint64_t kOrphanScanMs = 50;
  uv::UvHandle<uv_timer_t> later_;
  bool scanning_ = false;
  std::size_t unpolled_ = 0;                        // unreaped leaders whose exit only the scan sees
  std::size_t cleaning_ = 0;                        // groups whose leader is reaped but members remain
  std::unordered_map<pid_t, Group> groups_;         // by pgid; node addresses are stable
  std::unordered_map<pid_t, pid_t> escaped_owner_;  // an escaped group -> its worker's pgid
};

}  // namespace arbor::host
