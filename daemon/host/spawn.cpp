#include "daemon/host/spawn.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
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

namespace arbor::host {
namespace {

// What the child was doing when it failed; the text is the start of start_failed's error.
enum class Stage : int {
  setsid, signals, open_stdin, open_stdout, open_stderr, ready_fd, umask, chdir,
  setgroups, setgid, setuid, pdeathsig, close_fds, exec, count
};
constexpr std::array<const char*, static_cast<std::size_t>(Stage::count)> kStageNames = {
    "setsid", "signals", "open stdin", "open stdout", "open stderr", "ready fd", "umask", "chdir",
    "setgroups", "setgid", "setuid", "pdeathsig", "close fds", "exec"};
static_assert(kStageNames.size() == static_cast<std::size_t>(Stage::count));

struct ChildError {
  int stage;
  int err;
};

// Everything below runs in the forked child of a possibly multi-threaded process: only
// async-signal-safe calls, no allocation, no locks.
[[noreturn]] void child_fail(int error_fd, Stage stage) noexcept {
  const ChildError report{static_cast<int>(stage), errno};
  ssize_t ignored = write(error_fd, &report, sizeof report);
  (void)ignored;
  _exit(127);
}

// Moves `fd` to a number >= floor (keeping it close-on-exec), so that installing the
// child's fixed descriptors (0, 1, 2, ready fd) never overwrites a descriptor still needed.
int lift(int fd, int floor) noexcept {
  if (fd < 0 || fd >= floor) return fd;
  return fcntl(fd, F_DUPFD_CLOEXEC, floor);
}

// Makes `fd` the child's descriptor `target`, inherited across exec.
bool install(int fd, int target) noexcept {
  if (fd == target) return fcntl(fd, F_SETFD, 0) == 0;
  return dup2(fd, target) == target;
}

// {"file": P} outputs are opened here, after chdir and the user switch, so that a relative
// P means the worker's cwd and the file gets the worker's owner and umask, as a shell
// redirection in the worker would. O_NONBLOCK keeps a FIFO without a reader from hanging
// arbord (it fails with ENXIO instead); it is cleared before exec.
int open_output(const std::string& path) noexcept {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_NOCTTY | O_NONBLOCK | O_CLOEXEC, 0644);
  if (fd < 0) return -1;
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) return -1;
  return fd;
}

void mark_all_cloexec_from_3() noexcept {
  if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return;
  struct rlimit limit {};
  rlim_t max = 65536;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) max = limit.rlim_cur;
  for (rlim_t fd = 3; fd < max; ++fd) fcntl(static_cast<int>(fd), F_SETFD, FD_CLOEXEC);
}

[[noreturn]] void run_child(const SpawnPlan& plan, int error_fd, bool drop_groups, pid_t parent) noexcept {
  if (setsid() < 0) child_fail(error_fd, Stage::setsid);

  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    sigaction(sig, &dfl, nullptr);  // EINVAL for libc-reserved signals: nothing to reset
  }
  sigset_t empty;
  sigemptyset(&empty);
  if (sigprocmask(SIG_SETMASK, &empty, nullptr) < 0) child_fail(error_fd, Stage::signals);

  const int floor = std::max(3, plan.ready_target + 1);
  const int lifted_error_fd = lift(error_fd, floor);
  if (lifted_error_fd < 0) child_fail(error_fd, Stage::close_fds);
  error_fd = lifted_error_fd;
  const int out_fd = plan.out.kind == ChildOutput::Kind::fd ? lift(plan.out.fd, floor) : -1;
  const int err_fd = plan.err.kind == ChildOutput::Kind::fd ? lift(plan.err.fd, floor) : -1;
  const int ready_fd = lift(plan.ready_source, floor);
  if (plan.out.kind == ChildOutput::Kind::fd && out_fd < 0) child_fail(error_fd, Stage::open_stdout);
  if (plan.err.kind == ChildOutput::Kind::fd && err_fd < 0) child_fail(error_fd, Stage::open_stderr);
  if (plan.ready_source >= 0 && ready_fd < 0) child_fail(error_fd, Stage::ready_fd);

  const int null_fd = lift(open("/dev/null", O_RDWR | O_CLOEXEC), floor);
  if (null_fd < 0 || !install(null_fd, 0)) child_fail(error_fd, Stage::open_stdin);
  auto early_output = [&](const ChildOutput& o, int fd, int target, Stage stage) {
    switch (o.kind) {
      case ChildOutput::Kind::inherit:
      case ChildOutput::Kind::file:
        return;
      case ChildOutput::Kind::null:
        if (!install(null_fd, target)) child_fail(error_fd, stage);
        return;
      case ChildOutput::Kind::fd:
        if (!install(fd, target)) child_fail(error_fd, stage);
        return;
    }
  };
  early_output(plan.out, out_fd, 1, Stage::open_stdout);
  early_output(plan.err, err_fd, 2, Stage::open_stderr);
  if (ready_fd >= 0 && !install(ready_fd, plan.ready_target)) child_fail(error_fd, Stage::ready_fd);

  if (plan.umask) umask(*plan.umask);
  if (plan.cwd && chdir(plan.cwd->c_str()) < 0) child_fail(error_fd, Stage::chdir);
  if (plan.uid || plan.gid) {
    const gid_t gid = plan.gid ? *plan.gid : getgid();
    if (drop_groups && setgroups(1, &gid) < 0) child_fail(error_fd, Stage::setgroups);
    if (plan.gid && setgid(*plan.gid) < 0) child_fail(error_fd, Stage::setgid);
    if (plan.uid && setuid(*plan.uid) < 0) child_fail(error_fd, Stage::setuid);
  }

  int file_out = -1;
  if (plan.out.kind == ChildOutput::Kind::file) {
    if ((file_out = open_output(plan.out.path)) < 0 || !install(file_out, 1)) {
      child_fail(error_fd, Stage::open_stdout);
    }
  }
  if (plan.err.kind == ChildOutput::Kind::file) {
    // The same file for both streams shares one open file description, as 2>&1 would.
    const bool same = plan.out.kind == ChildOutput::Kind::file && plan.out.path == plan.err.path;
    const int fd = same ? 1 : open_output(plan.err.path);
    if (fd < 0 || !install(fd, 2)) child_fail(error_fd, Stage::open_stderr);
  }

  // The leader dies with arbord, even by SIGKILL (its descendants are cleaned up by the next
  // arbord: see group_record.h). Set after the uid/gid switch, which clears it, and checked
  // against a parent that died before it was set. The kernel clears it again at the exec of
  // a set-user-ID binary: the group record covers that leader too.
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) child_fail(error_fd, Stage::pdeathsig);
  if (getppid() != parent) _exit(127);

  // Everything but 0-2 and the ready fd goes at exec; the error pipe must survive until then.
  mark_all_cloexec_from_3();
  if (plan.ready_target >= 0 && fcntl(plan.ready_target, F_SETFD, 0) < 0) child_fail(error_fd, Stage::ready_fd);

  execve(plan.argv->data()[0], plan.argv->data(), plan.envp->data());
  child_fail(error_fd, Stage::exec);
}

int pidfd_open(pid_t pid) noexcept { return static_cast<int>(syscall(SYS_pidfd_open, pid, 0U)); }

// Reads the child's report until EOF (the pipe closes at exec or at _exit).
bool read_report(int fd, ChildError& report) noexcept {
  std::size_t got = 0;
  auto* bytes = reinterpret_cast<char*>(&report);
  while (got < sizeof report) {
    ssize_t n = read(fd, bytes + got, sizeof report - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  return got == sizeof report;
}

}  // namespace

std::string stage_error(const char* stage, int err) { return fmt::format("{}: {}", stage, std::strerror(err)); }

SpawnResult spawn_process(const SpawnPlan& plan) noexcept {
  SpawnResult result;
  try {
    int error_pipe[2];
    if (pipe2(error_pipe, O_CLOEXEC) < 0) {
      result.error = stage_error("pipe", errno);
      return result;
    }
    const bool drop_groups = geteuid() == 0;
    const pid_t parent = getpid();

    // With every signal blocked across fork, no handler of arbord's (libuv's signal pipe
    // writer included) can run in the child before it resets the dispositions.
    sigset_t all;
    sigset_t saved;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved);
    const pid_t pid = fork();
    if (pid == 0) {
      close(error_pipe[0]);
      run_child(plan, error_pipe[1], drop_groups, parent);
    }
    const int fork_errno = errno;
    pthread_sigmask(SIG_SETMASK, &saved, nullptr);
    close(error_pipe[1]);
    if (pid < 0) {
      close(error_pipe[0]);
      result.error = stage_error("fork", fork_errno);
      return result;
    }

    // Nothing reaps the child before this returns (the SIGCHLD handler runs from the loop),
    // so the pidfd surely refers to it even if it has already exited.
    const int pidfd = pidfd_open(pid);
    const int pidfd_errno = errno;
    ChildError report{};
    const bool failed = read_report(error_pipe[0], report);
    close(error_pipe[0]);
    if (pidfd < 0) {
      kill(pid, SIGKILL);
      while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
      }
      result.error = stage_error("pidfd", pidfd_errno);
      return result;
    }
    if (failed) {
      siginfo_t info{};
      while (waitid(P_PIDFD, static_cast<id_t>(pidfd), &info, WEXITED) < 0 && errno == EINTR) {
      }
      close(pidfd);
      const auto stage = static_cast<std::size_t>(report.stage);
      result.error = stage_error(stage < kStageNames.size() ? kStageNames[stage] : "spawn", report.err);
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
