#include "daemon/host/spawn.h"

#include "daemon/host/clone_into_cgroup.h"
#include "daemon/host/spawn_child.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif

namespace arbor::host {
namespace {

// What the child was doing when it failed; the text is the start of start_failed's error.
enum class Stage : int {
  cgroup,
  setsid,
  signals,
  open_stdin,
  open_stdout,
  open_stderr,
  ready_fd,
  listen_fds,
  umask,
  chdir,
  setgroups,
  setgid,
  setuid,
  pdeathsig,
  close_fds,
  exec,
  count
};
constexpr std::array<const char*, static_cast<std::size_t>(Stage::count)> kStageNames = {
    "cgroup", "setsid", "signals",   "open stdin", "open stdout", "open stderr", "ready fd",  "listen fds",
    "umask",  "chdir",  "setgroups", "setgid",     "setuid",      "pdeathsig",   "close fds", "exec"};
static_assert(kStageNames.size() == static_cast<std::size_t>(Stage::count));

// The child shares arbord's memory (CLONE_VM) and arbord is suspended until the child
// execs or exits (CLONE_VFORK), so the child reports a failure by writing here.
struct ChildError {
  int stage = -1;  // -1: the exec succeeded
  int err = 0;
};

// Descriptors parked at fixed low numbers across a spawn. The child starts with arbord's
// descriptor table shared (CLONE_FILES: nothing copied) and then takes a private copy of
// only the numbers below `end` (close_range with CLOSE_RANGE_UNSHARE), so a spawn costs
// the same with 10 or 10,000 workers' pidfds and pipes open. Without this, fork copies
// every descriptor and exec closes them again one by one: O(workers) per spawn.
// Reserved at the first spawn, when arbord has few descriptors, and kept for its life.
// A worker with more listening sockets than kListenSlots gets the full copy instead.
constexpr std::size_t kListenSlots = 16;
struct Slots {
  enum : int { out, err, ready, count };
  int null_fd = -1;  // /dev/null: what a slot holds between spawns, and the child's stdin
  std::array<int, count> fd{-1, -1, -1};
  std::array<int, kListenSlots> listen{};
  int end = 0;  // 1 + the highest reserved number; 0 if reservation failed
};

Slots& slots() noexcept {
  static Slots reserved = [] {
    Slots s;
    s.null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (s.null_fd < 0) return s;
    int highest = s.null_fd;
    for (int* fds : {s.fd.data(), s.listen.data()}) {
      const std::size_t n = fds == s.fd.data() ? s.fd.size() : s.listen.size();
      for (std::size_t i = 0; i < n; ++i) {
        fds[i] = fcntl(s.null_fd, F_DUPFD_CLOEXEC, 0);
        if (fds[i] < 0) return s;
        highest = std::max(highest, fds[i]);
      }
    }
    s.end = 1 + highest;
    return s;
  }();
  return reserved;
}

// Everything below runs in the child, on its own stack but in arbord's memory: only
// async-signal-safe calls, no allocation, no locks, nothing written but the report
// (spawn_child.h has the helpers and CHILD_SIDE).
using namespace child_side;  // NOLINT(google-build-using-namespace): the child's helpers

[[noreturn]] CHILD_SIDE void child_fail(ChildError& report, Stage stage) noexcept {
  report.err = errno;
  report.stage = static_cast<int>(stage);
  _exit(127);
}

struct ChildArgs {
  const SpawnPlan* plan = nullptr;
  int out_fd = -1;  // the descriptors to install, as the child finds them
  int err_fd = -1;
  int ready_fd = -1;
  int* listen = nullptr;  // the listening sockets to install as 3, 4, ... (lifted in place)
  int listen_count = 0;
  int null_fd = -1;
  int keep_below = 0;  // > 0: the table is shared; keep only the numbers below this
  bool drop_groups = false;
  pid_t parent = 0;
  int cgroup_procs = -1;  // the fallback without clone3: the cgroup's cgroup.procs
  ChildError report;
};

[[noreturn]] CHILD_SIDE void run_child(ChildArgs& args) noexcept {
  const SpawnPlan& plan = *args.plan;
  ChildError& report = args.report;
  if (args.cgroup_procs >= 0 && write(args.cgroup_procs, "0", 1) != 1) child_fail(report, Stage::cgroup);
  if (args.keep_below > 0 &&
      syscall(SYS_close_range, static_cast<unsigned>(args.keep_below), ~0U, CLOSE_RANGE_UNSHARE) < 0) {
    // A kernel before 5.9: a full private copy, closed at exec by close-on-exec.
    if (unshare(CLONE_FILES) < 0) child_fail(report, Stage::close_fds);
  }
  if (setsid() < 0) child_fail(report, Stage::setsid);

  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    sigaction(sig, &dfl, nullptr);  // EINVAL for libc-reserved signals: nothing to reset
  }
  sigset_t empty;
  sigemptyset(&empty);
  if (sigprocmask(SIG_SETMASK, &empty, nullptr) < 0) child_fail(report, Stage::signals);

  const int floor = std::max(3 + args.listen_count, plan.ready_target + 1);
  for (int i = 0; i < args.listen_count; ++i) {
    if ((args.listen[i] = lift(args.listen[i], floor)) < 0) child_fail(report, Stage::listen_fds);
  }
  const int out_fd = lift(args.out_fd, floor);
  const int err_fd = lift(args.err_fd, floor);
  const int ready_fd = lift(args.ready_fd, floor);
  if (args.out_fd >= 0 && out_fd < 0) child_fail(report, Stage::open_stdout);
  if (args.err_fd >= 0 && err_fd < 0) child_fail(report, Stage::open_stderr);
  if (args.ready_fd >= 0 && ready_fd < 0) child_fail(report, Stage::ready_fd);

  const int null_fd = lift(args.null_fd >= 0 ? args.null_fd : open("/dev/null", O_RDWR | O_CLOEXEC), floor);
  if (null_fd < 0 || !install(null_fd, 0)) child_fail(report, Stage::open_stdin);
  if (!early_output(plan.out, out_fd, null_fd, 1)) child_fail(report, Stage::open_stdout);
  if (!early_output(plan.err, err_fd, null_fd, 2)) child_fail(report, Stage::open_stderr);
  if (ready_fd >= 0 && !install(ready_fd, plan.ready_target)) child_fail(report, Stage::ready_fd);
  if (!install_listen(args.listen, args.listen_count)) child_fail(report, Stage::listen_fds);

  if (plan.umask) umask(*plan.umask);
  if (plan.cwd && chdir(plan.cwd->c_str()) < 0) child_fail(report, Stage::chdir);
  if (plan.uid || plan.gid) {
    // Raw system calls: glibc's wrappers would try to switch every thread of arbord, whose
    // memory (and thread list) this child shares; the child itself is a single thread.
    const gid_t gid = plan.gid ? *plan.gid : getgid();
    if (args.drop_groups && syscall(SYS_setgroups, 1, &gid) < 0) child_fail(report, Stage::setgroups);
    if (plan.gid && syscall(SYS_setgid, *plan.gid) < 0) child_fail(report, Stage::setgid);
    if (plan.uid && syscall(SYS_setuid, *plan.uid) < 0) child_fail(report, Stage::setuid);
  }

  int file_out = -1;
  if (plan.out.kind == ChildOutput::Kind::file) {
    if ((file_out = open_output(plan.out.path)) < 0 || !install(file_out, 1)) {
      child_fail(report, Stage::open_stdout);
    }
  }
  if (plan.err.kind == ChildOutput::Kind::file) {
    // The same file for both streams shares one open file description, as 2>&1 would.
    const bool same = plan.out.kind == ChildOutput::Kind::file && plan.out.path == plan.err.path;
    const int fd = same ? 1 : open_output(plan.err.path);
    if (fd < 0 || !install(fd, 2)) child_fail(report, Stage::open_stderr);
  }

  // The leader dies with arbord, even by SIGKILL (its descendants are cleaned up by the next
  // arbord: see group_record.h). Set after the uid/gid switch, which clears it, and checked
  // against a parent that died before it was set. The kernel clears it again at the exec of
  // a set-user-ID binary: the group record covers that leader too.
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) child_fail(report, Stage::pdeathsig);
  if (getppid() != args.parent) _exit(127);

  // Everything but 0-2, the listening sockets and the ready fd goes at exec (a handful of
  // descriptors: see Slots).
  mark_all_cloexec_from(3U + static_cast<unsigned>(args.listen_count));
  if (plan.ready_target >= 0 && fcntl(plan.ready_target, F_SETFD, 0) < 0) child_fail(report, Stage::ready_fd);
  write_listen_pid(plan.listen_pid);

  if (plan.watchdog_pid != nullptr) write_own_pid(plan.watchdog_pid);
  execve(plan.argv->data()[0], plan.argv->data(), plan.envp->data());
  child_fail(report, Stage::exec);
}

CHILD_SIDE int child_main(void* args) { run_child(*static_cast<ChildArgs*>(args)); }

}  // namespace

std::string stage_error(const char* stage, int err) {
  return fmt::format("{}: {}", stage, std::strerror(err));
}

SpawnResult spawn_process(const SpawnPlan& plan, Sys& sys) noexcept {
  SpawnResult result;
  try {
    ChildArgs args;
    args.plan = &plan;
    args.drop_groups = geteuid() == 0;
    args.parent = getpid();
    args.out_fd = plan.out.kind == ChildOutput::Kind::fd ? plan.out.fd : -1;
    args.err_fd = plan.err.kind == ChildOutput::Kind::fd ? plan.err.fd : -1;
    args.ready_fd = plan.ready_source;
    std::vector<int> listen = plan.listen_fds != nullptr ? *plan.listen_fds : std::vector<int>{};
    args.listen = listen.data();
    args.listen_count = static_cast<int>(listen.size());

    // Park the child's descriptors in the low slots (see Slots); if there are none, the
    // child gets a full copy of the table instead (slow with many workers, still correct).
    Slots& s = slots();
    int flags = CLONE_VM | CLONE_VFORK | SIGCHLD;
    std::array<bool, Slots::count> used{};
    std::size_t listen_parked = 0;
    auto unpark = [&] {  // drops the slots' references to the pipes, so their EOF can come
      for (int i = 0; i < Slots::count; ++i) {
        if (used[i]) sys.dup3(s.null_fd, s.fd[i], O_CLOEXEC);
      }
      for (std::size_t i = 0; i < listen_parked; ++i) sys.dup3(s.null_fd, s.listen[i], O_CLOEXEC);
    };
    if (s.end > 0 && listen.size() <= kListenSlots) {
      auto park = [&](int& fd, int slot) {
        if (fd < 0) return true;
        if (sys.dup3(fd, s.fd[slot], O_CLOEXEC) < 0) return false;
        fd = s.fd[slot];
        used[slot] = true;
        return true;
      };
      bool parked =
          park(args.out_fd, Slots::out) && park(args.err_fd, Slots::err) && park(args.ready_fd, Slots::ready);
      for (; parked && listen_parked < listen.size(); ++listen_parked) {
        parked = sys.dup3(listen[listen_parked], s.listen[listen_parked], O_CLOEXEC) >= 0;
        listen[listen_parked] = s.listen[listen_parked];
      }
      if (!parked) {
        result.error = stage_error("dup", errno);
        unpark();
        return result;
      }
      flags |= CLONE_FILES;
      args.null_fd = s.null_fd;
      args.keep_below = s.end;
    }

    int cgroup_fd = -1;
    if (plan.cgroup_dir != nullptr) {
      cgroup_fd = sys.open(plan.cgroup_dir->c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
      if (cgroup_fd < 0) {
        result.error = stage_error("cgroup", errno);
        unpark();
        return result;
      }
    }

    // With every signal blocked across the clone, no handler of arbord's (libuv's signal
    // pipe writer included) can run in the child before it resets the dispositions.
    alignas(64) static char stack[256 * 1024];  // one child at a time: arbord waits for it
#if defined(__SANITIZE_ADDRESS__)
    __asan_unpoison_memory_region(stack, sizeof stack);  // libc's clone code is not ours
#endif
    sigset_t all;
    sigset_t saved;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved);
    // A kernel or build without clone3 into a cgroup is found once, at the first spawn.
    static bool clone3_works = true;
    if (!have_clone3_trampoline()) clone3_works = false;
    pid_t pid = -1;
    int clone_errno = 0;
    if (cgroup_fd >= 0 && clone3_works) {
      const long rc = clone_into_cgroup(static_cast<unsigned long>(flags & ~0xff), SIGCHLD, cgroup_fd, stack,
                                        sizeof stack, child_main, &args);
      if (rc == -ENOSYS || rc == -E2BIG) {
        clone3_works = false;
      } else {
        pid = rc < 0 ? -1 : static_cast<pid_t>(rc);
        clone_errno = rc < 0 ? static_cast<int>(-rc) : 0;
      }
    }
    if (cgroup_fd >= 0 && !clone3_works) {
      args.cgroup_procs = sys.open((*plan.cgroup_dir + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC, 0);
      if (args.cgroup_procs < 0) clone_errno = errno;
    }
    if (cgroup_fd < 0 || (!clone3_works && args.cgroup_procs >= 0)) {
      pid = clone(child_main, stack + sizeof stack, flags, &args);
      clone_errno = errno;
    }
    pthread_sigmask(SIG_SETMASK, &saved, nullptr);
    unpark();
    if (args.cgroup_procs >= 0) sys.close(args.cgroup_procs);
    if (cgroup_fd >= 0) sys.close(cgroup_fd);
    if (pid < 0) {
      result.error = stage_error(cgroup_fd >= 0 ? "cgroup" : "fork", clone_errno);
      return result;
    }

    // Nothing reaps the child before this returns (the SIGCHLD handler runs from the loop),
    // so the pidfd surely refers to it even if it has already exited.
    const int pidfd = sys.pidfd_open(pid);
    const int pidfd_errno = errno;
    if (pidfd < 0) {
      sys.kill(pid, SIGKILL);
      siginfo_t info{};
      while (sys.waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED) < 0 && errno == EINTR) {
      }
      result.error = stage_error("pidfd", pidfd_errno);
      return result;
    }
    if (args.report.stage >= 0) {
      siginfo_t info{};
      while (sys.waitid(P_PIDFD, static_cast<id_t>(pidfd), &info, WEXITED) < 0 && errno == EINTR) {
      }
      sys.close(pidfd);
      const auto stage = static_cast<std::size_t>(args.report.stage);
      result.error = stage_error(stage < kStageNames.size() ? kStageNames[stage] : "spawn", args.report.err);
      return result;
    }
    result.pid = pid;
    result.pidfd = pidfd;
  } catch (...) {  // fmt allocation failure
    result.pid = -1;
    if (result.error.empty()) result.error = "spawn: out of memory";
  }
  return result;
}

}  // namespace arbor::host
