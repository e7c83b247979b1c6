// GroupRecord: the process groups of live workers, kept in a small file next to the control
// socket (`<socket>.groups`), so that an arbord that died by SIGKILL leaves a note of what
// it was running and the next arbord removes the leftovers before it starts anything.
//
// What survives a SIGKILLed arbord: each worker leader has PR_SET_PDEATHSIG(SIGKILL) (see
// spawn.cpp), so it dies with arbord; its descendants (same process group, same session)
// are orphaned to init or a subreaper and keep running. The next arbord reads the file and
// kills each recorded group, unless the number now belongs to an unrelated process:
//  - the leader is present with the recorded start time (field 22 of /proc/PID/stat): it
//    is ours (pdeathsig did not fire, e.g. a setuid binary cleared it) -> kill(-pgid);
//  - the leader is present with another start time: the pid was reused. The kernel never
//    reuses a number while any process still has it as its pgid or sid, so a new process
//    with that pid proves nothing of our group is left -> leave it alone;
//  - the leader is gone: any process whose pgid is that number is one of our leftovers (by
//    the same rule, the number stays reserved while they live) -> kill(-pgid).
//
// With cgroups (cgroup_tree.h) the record also holds arbord's cgroup instance, "c PATH" when
// it is made and "x PATH" when it is removed; the next arbord kills everything below a
// recorded instance (cgroup.kill) and removes it, before it starts anything.
//
// File format: one line per change, "+PGID STARTTIME" when a worker starts and "-PGID" when
// its group is gone; rewritten from the live set (O(live)) when it grows past twice that,
// so a write costs O(1) amortized. Writes are plain appends, not fsync'ed: a SIGKILL of
// arbord loses nothing of the page cache, and after a power loss no process is left.
//
// The file is flock()ed by its arbord for its whole life (the rewrite locks the new file
// before renaming it over the old one), so a second arbord on the same socket path never
// kills the groups of a live one.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <memory>
#include <string>
#include <set>
#include <unordered_map>

#include "daemon/host/sys.h"

namespace arbor::host {

class GroupRecord {
 public:
  // Locks `path` (creating it), kills the leftover groups it lists (see above), logs them,
  // and empties it. Returns nullptr when another live arbord holds the lock or the file
  // cannot be used (logged; arbord then runs without the record). main() does this before
  // anything starts and passes the record to the runner (RunnerOptions::record); it
  // outlives the runner. `sys` outlives the record.
  static std::unique_ptr<GroupRecord> take_over(const std::string& path, Sys& sys = Sys::real());

  // reexec: the record an earlier program of this process held, still open (and locked)
  // as `fd`, read back whole: its groups and its cgroup instance are this one's.
  static std::unique_ptr<GroupRecord> adopt(const std::string& path, int fd, Sys& sys = Sys::real());
  // The adopted groups are gone (killed by the fallback): the file keeps the instance alone.
  void forget_groups() {
    live_.clear();
    compact();
  }
  std::size_t live_count() const { return live_.size(); }
  bool has_cgroup(const std::string& instance) const { return cgroups_.count(instance) != 0; }
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }

  ~GroupRecord();
  GroupRecord(const GroupRecord&) = delete;
  GroupRecord& operator=(const GroupRecord&) = delete;

  // A worker leader `pgid` was started / its whole group is gone. Also for the group of
  // a process that escaped a worker (reaper.h): "+PGID START" with START 0 when that
  // group's leader is already dead, which take_over reads as "leader gone".
  void added(pid_t pgid);
  void removed(pid_t pgid);
  // arbord's cgroup instance (an absolute directory) was made / removed.
  void cgroup_added(const std::string& instance);
  void cgroup_removed(const std::string& instance);

  // Field 22 of /proc/PID/stat (start time in clock ticks since boot); 0 if unreadable.
  static unsigned long long start_time(pid_t pid);

 private:
  GroupRecord(std::string path, int fd, Sys& sys) : path_(std::move(path)), fd_(fd), sys_(sys) {}
  void append(const std::string& line);
  void compact();

  std::string path_;
  int fd_ = -1;
  Sys& sys_;
  std::unordered_map<pid_t, unsigned long long> live_;
  std::set<std::string> cgroups_;
  std::size_t lines_ = 0;      // lines in the file
  bool write_failed_ = false;  // logged once
};

}  // namespace arbor::host
