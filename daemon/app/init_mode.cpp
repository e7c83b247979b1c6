#include "daemon/app/init_mode.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include <spdlog/spdlog.h>

namespace arbor::app {
namespace {

// Reads the pids of a /proc list file ("12 34 56 ").
bool read_pids(const std::string& file, std::vector<pid_t>& out) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  const char* p = text.c_str();
  for (char* end = nullptr;; p = end) {
    const long pid = std::strtol(p, &end, 10);
    if (end == p) break;
    if (pid > 0) out.push_back(static_cast<pid_t>(pid));
  }
  return true;
}

// arbord's children, from /proc/self/task/*/children (an orphan goes to one of its threads).
// False when /proc cannot tell.
bool list_children(std::vector<pid_t>& out) {
  DIR* tasks = ::opendir("/proc/self/task");
  if (tasks == nullptr) return false;
  bool any = false;
  while (dirent* entry = ::readdir(tasks)) {
    if (entry->d_name[0] == '.') continue;
    any |= read_pids(std::string("/proc/self/task/") + entry->d_name + "/children", out);
  }
  ::closedir(tasks);
  return any;
}

// As PID 1, after every child is reaped: processes of the namespace that are not arbord's
// children (entered from outside, `docker exec`, so their parent is outside) were SIGKILLed
// by kill(-1) too; wait for each through a pidfd, which turns readable when it has exited.
// Only when /proc is this namespace's (its "self" is our pid), else its pids mean nothing.
std::size_t await_strangers() {
  char self[32] = {};
  if (::readlink("/proc/self", self, sizeof self - 1) < 0 || std::atoi(self) != ::getpid()) return 0;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return 0;
  std::vector<pollfd> fds;
  while (dirent* entry = ::readdir(proc)) {
    char* end = nullptr;
    const long pid = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || pid <= 0 || pid == ::getpid()) continue;
    const int fd = static_cast<int>(::syscall(SYS_pidfd_open, static_cast<pid_t>(pid), 0));
    if (fd >= 0) fds.push_back({fd, POLLIN, 0});
  }
  ::closedir(proc);
  std::size_t waiting = fds.size();
  const std::size_t found = waiting;
  while (waiting > 0) {
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      spdlog::error("init: poll on pidfds: {}", std::strerror(errno));
      break;
    }
    for (pollfd& p : fds) {
      if (p.fd >= 0 && p.revents != 0) {
        ::close(p.fd);
        p.fd = -1;  // poll skips negative descriptors
        --waiting;
      }
    }
  }
  for (const pollfd& p : fds) {
    if (p.fd >= 0) ::close(p.fd);
  }
  return found;
}

}  // namespace

bool is_pid1() { return ::getpid() == 1; }

namespace {
sigset_t handled_set() {
  sigset_t set;
  sigemptyset(&set);
  for (const int signo : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&set, signo);
  for (const InitSignal& s : init_signals()) sigaddset(&set, s.signo);
  return set;
}
}  // namespace

void block_init_signals() {
  const sigset_t set = handled_set();
  ::sigprocmask(SIG_BLOCK, &set, nullptr);
}

void unblock_init_signals() {
  const sigset_t set = handled_set();
  ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
}

std::vector<InitSignal> init_signals() {
  using A = InitSignalAction;
  // SIGPWR: LXC's lxc-stop asks a container's init to halt with it. SIGRTMIN+3 / +4: the
  // halt and poweroff requests of systemd's convention (machinectl, systemd-nspawn).
  return {{SIGQUIT, A::stop},
          {SIGPWR, A::stop},
          {SIGRTMIN + 3, A::stop},
          {SIGRTMIN + 4, A::stop},
          {SIGUSR1, A::ignore},
          {SIGUSR2, A::ignore},
          {SIGALRM, A::ignore},
          {SIGVTALRM, A::ignore},
          {SIGPROF, A::ignore},
          {SIGIO, A::ignore},
          {SIGXCPU, A::ignore},
          // Ignored, a write past RLIMIT_FSIZE fails with EFBIG instead of killing arbord.
          {SIGXFSZ, A::ignore}};
}

const char* init_signal_name(int signo) {
  static thread_local std::string name;
  if (signo >= SIGRTMIN && signo <= SIGRTMAX) {
    name = "SIGRTMIN+" + std::to_string(signo - SIGRTMIN);
  } else if (const char* abbrev = ::sigabbrev_np(signo)) {
    name = std::string("SIG") + abbrev;
  } else {
    name = "signal " + std::to_string(signo);
  }
  return name.c_str();
}

InitSignals::InitSignals(uv_loop_t* loop, std::function<void(const char* why)> stop)
    : stop_(std::move(stop)) {
  for (const InitSignal& s : init_signals()) {
    auto handle =
        uv::UvHandle<uv_signal_t>::create(this, [loop](uv_signal_t* h) { return uv_signal_init(loop, h); });
    if (!handle) continue;
    if (const int rc = uv_signal_start(handle.get(), &InitSignals::on_signal, s.signo); rc != 0) {
      spdlog::warn("init: cannot handle {}: {}", init_signal_name(s.signo), uv_strerror(rc));
      continue;
    }
    // A handler alone must not keep the loop alive once the tree is down.
    uv_unref(handle.base());
    handles_.push_back(std::move(handle));
  }
}

void InitSignals::close() { handles_.clear(); }

void InitSignals::on_signal(uv_signal_t* handle, int signo) {
  auto* self = static_cast<InitSignals*>(handle->data);
  if (self == nullptr) return;
  for (const InitSignal& s : init_signals()) {
    if (s.signo != signo) continue;
    switch (s.action) {
      case InitSignalAction::stop:
        self->stop_(init_signal_name(signo));
        return;
      case InitSignalAction::ignore:
        spdlog::info("{}: ignored (arbord gives it no meaning; `arborctl signal PATH SIG` reaches a worker)",
                     init_signal_name(signo));
        return;
    }
  }
}

std::size_t end_descendants(bool pid1) {
  std::size_t reaped = 0;
  for (;;) {
    bool listed = true;
    if (pid1) {
      ::kill(-1, SIGKILL);  // every process of the namespace but arbord; again each round
    } else {
      std::vector<pid_t> children;
      listed = list_children(children);
      // One by one, not their groups: an orphan may share arbord's own group.
      for (const pid_t pid : children) ::kill(pid, SIGKILL);
    }
    // Blocks until one is gone. A SIGKILLed child's own children were reparented to arbord
    // (the subreaper, or PID 1) before it became a zombie, so the next round sees them.
    // Without a list of children nothing was killed: reap only what is dead already.
    const pid_t pid = ::waitpid(-1, nullptr, __WALL | (listed ? 0 : WNOHANG));
    if (pid > 0) {
      ++reaped;
      continue;
    }
    if (pid < 0 && errno == EINTR) continue;
    if (pid == 0) spdlog::warn("init: /proc/self/task/*/children unreadable: children left running");
    break;  // ECHILD: none left
  }
  if (pid1) reaped += await_strangers();
  return reaped;
}

}  // namespace arbor::app
