#include "daemon/host/reaper.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include <spdlog/spdlog.h>

#include "daemon/host/scan_integer.h"
#include "daemon/uv/uv_handle.h"

namespace arbor::host {
namespace {

WaitStatus to_status(const siginfo_t& info) {
  WaitStatus status;
  status.signaled = info.si_code == CLD_KILLED || info.si_code == CLD_DUMPED;
  status.value = info.si_status;
  return status;
}

}  // namespace

int Reaper::waitid_retry(idtype_t type, id_t id, siginfo_t* info, int options) {
  int rc;
  do {
    rc = sys_.waitid(type, id, info, options);
  } while (rc < 0 && errno == EINTR);
  return rc;
}

// This process's children, from /proc/self/task/*/children (orphans are given to one of
// its threads). One read per page of pids; the kernel walks the child list for each.
std::vector<pid_t> Reaper::list_children() {
  std::vector<pid_t> pids;
  DIR* tasks = opendir("/proc/self/task");
  if (tasks == nullptr) return pids;
  std::string text;
  while (dirent* entry = readdir(tasks)) {
    if (entry->d_name[0] == '.') continue;
    const std::string name = std::string("/proc/self/task/") + entry->d_name + "/children";
    const int fd = sys_.open(name.c_str(), O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0) continue;
    char buf[4096];
    for (ssize_t n; (n = sys_.read(fd, buf, sizeof buf)) != 0;) {
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) break;
      text.append(buf, static_cast<std::size_t>(n));
    }
    sys_.close(fd);
    text += ' ';
  }
  closedir(tasks);
  std::string_view rest(text);
  for (long pid = 0; scan_integer(rest, pid);) {
    if (pid > 0) pids.push_back(static_cast<pid_t>(pid));
  }
  return pids;
}

bool Reaper::group_exists(pid_t pgid) { return sys_.kill(-pgid, 0) == 0 || errno != ESRCH; }

Reaper::Reaper(uv_loop_t* loop, Sys& sys, Hooks hooks) : loop_(loop), sys_(sys), hooks_(std::move(hooks)) {
  if (sys_.prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
    spdlog::error("prctl(PR_SET_CHILD_SUBREAPER): {}", std::strerror(errno));
  }
  sigchld_ =
      uv::UvHandle<uv_signal_t>::create(this, [&](uv_signal_t* h) { return uv_signal_init(loop_, h); });
  if (sigchld_) {
    uv_signal_start(sigchld_.get(), &Reaper::on_sigchld, SIGCHLD);
    // Live pidfd polls keep the loop alive; SIGCHLD alone must not.
    uv_unref(sigchld_.base());
  }
  scan_ = uv::UvHandle<uv_check_t>::create(this, [&](uv_check_t* h) { return uv_check_init(loop_, h); });
  if (scan_) uv_unref(scan_.base());
  later_ = uv::UvHandle<uv_timer_t>::create(this, [&](uv_timer_t* h) { return uv_timer_init(loop_, h); });
  if (later_) uv_unref(later_.base());
  // Without the epoll set every exit is still seen, through SIGCHLD and the child scan.
  epoll_ = sys_.epoll_create1(EPOLL_CLOEXEC);
  if (epoll_ < 0) {
    spdlog::error("epoll_create1: {}", std::strerror(errno));
    return;
  }
  pidfds_ =
      uv::UvHandle<uv_poll_t>::create(this, [&](uv_poll_t* h) { return uv_poll_init(loop_, h, epoll_); });
  if (!pidfds_) {
    sys_.close(epoll_);
    epoll_ = -1;
    return;
  }
  uv_poll_start(pidfds_.get(), UV_READABLE, &Reaper::on_pidfds);
  uv_unref(pidfds_.base());
}

Reaper::~Reaper() { close(); }

void Reaper::become_subreaper() noexcept {
  if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
    spdlog::error("prctl(PR_SET_CHILD_SUBREAPER): {}", std::strerror(errno));
  }
}

void Reaper::watch(std::uint64_t id, pid_t pid, int pidfd, bool contained) {
  auto [it, inserted] = groups_.try_emplace(pid);
  Group& group = it->second;
  group.id = id;
  group.pgid = pid;
  group.pidfd = pidfd;
  group.contained = contained;
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u64 = static_cast<std::uint64_t>(pid);
  // On failure the SIGCHLD path still sees this leader's exit, and must not wait to.
  if (epoll_ < 0 || sys_.epoll_ctl(epoll_, EPOLL_CTL_ADD, pidfd, &event) < 0) {
    if (!group.unpolled) ++unpolled_;
    group.unpolled = true;
    return;
  }
  // Live leaders keep the loop alive; SIGCHLD alone must not.
  if (watched_++ == 0) uv_ref(pidfds_.base());
}

bool Reaper::signal_group(pid_t pgid, int signo) noexcept {
  auto it = groups_.find(pgid);
  if (it == groups_.end()) return false;
  Group& group = it->second;
  if (group.leader_reaped) return false;
  // Safe from pid reuse: the leader is at worst an unreaped zombie holding the number.
  return sys_.kill(-group.pgid, signo) == 0;
}

void Reaper::close() noexcept {
  for (auto& [pgid, group] : groups_) release_leader_handles(group);
  groups_.clear();
  escaped_owner_.clear();
  cleaning_ = 0;
  unpolled_ = 0;
  sigchld_.reset();
  scan_.reset();
  later_.reset();
  pidfds_.reset();  // stops watching epoll_ before it goes away
  if (epoll_ >= 0) sys_.close(epoll_);
  epoll_ = -1;
  watched_ = 0;
}

void Reaper::release_leader_handles(Group& group) noexcept {
  if (group.pidfd < 0) return;
  if (epoll_ >= 0 && sys_.epoll_ctl(epoll_, EPOLL_CTL_DEL, group.pidfd, nullptr) == 0 && --watched_ == 0 &&
      pidfds_) {
    uv_unref(pidfds_.base());
  }
  sys_.close(group.pidfd);
  group.pidfd = -1;
}

void Reaper::on_pidfds(uv_poll_t* handle, int /*status*/, int /*events*/) {
  auto* self = static_cast<Reaper*>(handle->data);
  if (self == nullptr) return;
  epoll_event events[64];
  int n;
  do {
    n = self->sys_.epoll_wait(self->epoll_, events, 64, 0);
    for (int i = 0; i < n; ++i) {
      // Looked up each time: handling one exit may forget another group.
      auto it = self->groups_.find(static_cast<pid_t>(events[i].data.u64));
      if (it != self->groups_.end()) self->handle_leader_exit(it->second);
    }
  } while (n == 64);
}

void Reaper::on_sigchld(uv_signal_t* handle, int /*signo*/) {
  if (auto* self = static_cast<Reaper*>(handle->data)) self->schedule_scan();
}

void Reaper::schedule_scan() {
  // A leader exit found by the scan itself needs no second one: the scan goes on until none.
  if (!scan_ || scanning_) return;
  // Something waits on this scan: in this iteration. Nothing does: once, a little later,
  // for the whole burst (reaper.h).
  if (cleaning_ > 0 || unpolled_ > 0 || !later_) {
    uv_check_start(scan_.get(), &Reaper::on_check);
  } else if (uv_is_active(later_.base()) == 0) {
    uv_timer_start(later_.get(), &Reaper::on_later, kOrphanScanMs, 0);
  }
}

void Reaper::on_later(uv_timer_t* handle) {
  if (auto* self = static_cast<Reaper*>(handle->data)) self->reap_children();
}

void Reaper::on_check(uv_check_t* handle) {
  uv_check_stop(handle);
  if (auto* self = static_cast<Reaper*>(handle->data)) self->reap_children();
}

void Reaper::handle_leader_exit(Group& group) {
  // Reached from the pidfd poll or from the SIGCHLD scan, whichever comes first; the
  // other finds leader_reaped (or the group gone) and does nothing.
  if (group.leader_reaped) return;
  siginfo_t info{};
  if (waitid_retry(P_PIDFD, static_cast<id_t>(group.pidfd), &info, WEXITED | WNOHANG | WNOWAIT) < 0 ||
      info.si_pid == 0) {
    return;  // not exited yet
  }
  group.status = to_status(info);
  // Its children (in whatever session) are ours now, and may be dead already, their
  // SIGCHLDs merged with the leader's. That SIGCHLD is handled after they became zombies,
  // so its scan finds them; a second scan from here would only double the cost of a
  // plain exit when the pidfd and the signal land in different iterations. Without a
  // SIGCHLD handle (its init failed), the leader exits are what trigger the scan.
  if (!sigchld_) schedule_scan();
  if (hooks_.leader_exited) hooks_.leader_exited(group.id, group.status);
  sys_.kill(-group.pgid, SIGKILL);
  // Exit 0 is what a launcher does once its daemon runs; other exits (a crash, a stop by
  // signal) skip the O(children) listing, so a plain exit stays cheap (see DESIGN.md).
  if (!group.contained && !group.status.signaled && group.status.value == 0) find_escapees(group);
  if (waitid_retry(P_PIDFD, static_cast<id_t>(group.pidfd), &info, WEXITED) < 0) {
    waitid_retry(P_PID, static_cast<id_t>(group.pgid), &info, WEXITED | WNOHANG);
  }
  group.leader_reaped = true;
  if (group.unpolled) --unpolled_;
  group.unpolled = false;
  release_leader_handles(group);
  probe(group);
}

void Reaper::find_escapees(Group& group) {
  std::vector<pid_t> pids;
  std::vector<pid_t> pgids;
  for (const pid_t pid : list_children()) {
    if (groups_.count(pid) != 0) continue;  // a leader
    // Our child, unreaped (alive or a zombie): its pid and its pgid cannot be reused yet,
    // so both may be signalled.
    const pid_t pgid = sys_.getpgid(pid);
    if (pgid <= 0 || groups_.count(pgid) != 0) continue;  // a member of a worker's group
    const auto owner = escaped_owner_.find(pgid);
    if (owner != escaped_owner_.end() && owner->second != group.pgid) continue;  // another worker's
    sys_.kill(-pgid, SIGKILL);
    sys_.kill(pid, SIGKILL);
    pids.push_back(pid);
    if (escaped_owner_.emplace(pgid, group.pgid).second) pgids.push_back(pgid);
  }
  if (pids.empty()) return;
  group.escaped.insert(group.escaped.end(), pgids.begin(), pgids.end());
  if (hooks_.escaped) hooks_.escaped(group.id, pids, pgids);
}

std::vector<pid_t> Reaper::kill_strays() {
  std::vector<pid_t> strays;
  for (const pid_t pid : list_children()) {
    if (auto it = groups_.find(pid); it != groups_.end() && !it->second.leader_reaped) continue;
    // A zombie is no stray: dead already (killed with its worker's cgroup), just not reaped.
    siginfo_t info{};
    if (waitid_retry(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | __WALL) == 0 &&
        info.si_pid == pid) {
      continue;
    }
    const pid_t pgid = sys_.getpgid(pid);
    if (pgid > 0 && groups_.count(pgid) == 0) sys_.kill(-pgid, SIGKILL);
    sys_.kill(pid, SIGKILL);
    strays.push_back(pid);
  }
  return strays;
}

void Reaper::probe(Group& group) {
  const bool was_cleaning = group.cleaning;
  // An escaped group seen empty is forgotten at once: its number may be reused after.
  std::erase_if(group.escaped, [this](pid_t pgid) {
    if (group_exists(pgid)) return false;
    escaped_owner_.erase(pgid);
    return true;
  });
  if (group_exists(group.pgid) || !group.escaped.empty()) {
    // Members remain: their deaths raise SIGCHLD, and the scan runs while we are cleaning.
    // Some may be zombies already, their SIGCHLD answered by a later scan: one now.
    if (!was_cleaning) ++cleaning_;
    group.cleaning = true;
    if (!was_cleaning) schedule_scan();
    return;
  }
  if (was_cleaning) --cleaning_;
  const std::uint64_t id = group.id;
  const WaitStatus status = group.status;
  groups_.erase(group.pgid);  // `group` dangles from here
  if (hooks_.group_gone) hooks_.group_gone(id, status);
}

void Reaper::reap_children() {
  // One waitable child per iteration, each reaped before the next look, so the loop ends.
  // The kernel walks the child list for P_ALL: O(children) per call, but no syscall per child.
  if (later_) uv_timer_stop(later_.get());  // this scan answers its SIGCHLDs too
  scanning_ = true;
  struct Done {
    bool& flag;
    ~Done() { flag = false; }
  } done{scanning_};
  for (;;) {
    siginfo_t info{};
    if (waitid_retry(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT | __WALL) < 0 || info.si_pid == 0) return;
    const pid_t pid = info.si_pid;
    if (auto it = groups_.find(pid); it != groups_.end() && !it->second.leader_reaped) {
      handle_leader_exit(it->second);
      if (auto again = groups_.find(pid); again != groups_.end() && !again->second.leader_reaped) {
        return;  // could not reap it; do not spin
      }
      continue;
    }
    // An orphan (a worker's descendant reparented to us). getpgid works on a zombie, and
    // must be read before the reap frees the pid.
    const pid_t pgid = sys_.getpgid(pid);
    pid_t pgid_owner = pgid;  // the worker's group, for a member of an escaped group
    siginfo_t gone{};
    if (waitid_retry(P_PID, static_cast<id_t>(pid), &gone, WEXITED | WNOHANG | __WALL) < 0) return;
    if (pgid <= 0) continue;
    if (auto owner = escaped_owner_.find(pgid); owner != escaped_owner_.end()) pgid_owner = owner->second;
    const auto it = groups_.find(pgid_owner);
    if (it != groups_.end() && it->second.leader_reaped) probe(it->second);
  }
}

}  // namespace arbor::host

namespace arbor::host {

bool Reaper::quiet(std::string& why) const {
  for (const auto& [pgid, group] : groups_) {
    if (group.leader_reaped || group.cleaning || !group.escaped.empty() || group.pidfd < 0) {
      why = "the process group " + std::to_string(pgid) + " is being cleaned up";
      return false;
    }
  }
  return true;
}

int Reaper::pidfd(pid_t pgid) const {
  auto it = groups_.find(pgid);
  return it == groups_.end() ? -1 : it->second.pidfd;
}

}  // namespace arbor::host
