// The spawn's child-side helpers (spawn.cpp's clone child): descriptor moves, outputs,
// the pid in the environment. They run in the child, on its own stack but in arbord's
// memory: only async-signal-safe calls, no allocation, no locks. Included by spawn.cpp only.
#pragma once

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/close_range.h>

#include <string>

#include "daemon/host/exec_env.h"
#include "daemon/host/spawn.h"

// CHILD_SIDE keeps AddressSanitizer out: its frame poisoning and no-return hooks assume
// the thread's own stack and are never undone when the child execs or _exits.
#define CHILD_SIDE __attribute__((no_sanitize("address")))

namespace arbor::host::child_side {

// Moves `fd` to a number >= floor (keeping it close-on-exec), so that installing the
// child's fixed descriptors (0, 1, 2, ready fd) never overwrites a descriptor still needed.
CHILD_SIDE inline int lift(int fd, int floor) noexcept {
  if (fd < 0 || fd >= floor) return fd;
  return fcntl(fd, F_DUPFD_CLOEXEC, floor);
}

// Makes `fd` the child's descriptor `target`, inherited across exec.
CHILD_SIDE inline bool install(int fd, int target) noexcept {
  if (fd == target) return fcntl(fd, F_SETFD, 0) == 0;
  return dup2(fd, target) == target;
}

// {"file": P} outputs are opened here, after chdir and the user switch, so that a relative
// P means the worker's cwd and the file gets the worker's owner and umask, as a shell
// redirection in the worker would. O_NONBLOCK keeps a FIFO without a reader from hanging
// arbord (it fails with ENXIO instead); it is cleared before exec.
CHILD_SIDE inline int open_output(const std::string& path) noexcept {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_NOCTTY | O_NONBLOCK | O_CLOEXEC, 0644);
  if (fd < 0) return -1;
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) return -1;
  return fd;
}

// Writes getpid() in decimal, NUL-terminated, at `out` (room for 11 bytes).
CHILD_SIDE inline void write_own_pid(char* out) noexcept {
  char digits[16];
  int n = 0;
  for (auto pid = static_cast<unsigned long>(syscall(SYS_getpid)); n == 0 || pid > 0; pid /= 10)
    digits[n++] = static_cast<char>('0' + pid % 10);
  for (int i = 0; i < n; ++i) out[i] = digits[n - 1 - i];
  out[n] = '\0';
}

CHILD_SIDE inline void mark_all_cloexec_from(unsigned first) noexcept {
  if (syscall(SYS_close_range, first, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return;
  struct rlimit limit {};
  rlim_t max = 65536;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) max = limit.rlim_cur;
  for (rlim_t fd = first; fd < max; ++fd) fcntl(static_cast<int>(fd), F_SETFD, FD_CLOEXEC);
}

// The held listening sockets become 3, 4, ... in blocking mode (O_NONBLOCK belongs to the
// open file description, shared with arbord and every earlier start of the worker).
CHILD_SIDE inline bool install_listen(const int* fds, int count) noexcept {
  for (int i = 0; i < count; ++i) {
    if (!install(fds[i], 3 + i)) return false;
    const int flags = fcntl(3 + i, F_GETFL);
    if (flags < 0 || ((flags & O_NONBLOCK) != 0 && fcntl(3 + i, F_SETFL, flags & ~O_NONBLOCK) < 0))
      return false;
  }
  return true;
}

// "LISTEN_PID=0000000000" -> "LISTEN_PID=4242": the pid is the child's own, known only here.
CHILD_SIDE inline void write_listen_pid(char* entry) noexcept {
  if (entry != nullptr) write_own_pid(entry + kListenPidPrefix.size());
}

// Installs an output that needs no open of a path (those come after chdir and setuid).
CHILD_SIDE inline bool early_output(const ChildOutput& o, int fd, int null_fd, int target) noexcept {
  switch (o.kind) {
    case ChildOutput::Kind::inherit:
    case ChildOutput::Kind::file:
      return true;
    case ChildOutput::Kind::null:
      return install(null_fd, target);
    case ChildOutput::Kind::fd:
      return install(fd, target);
  }
  return false;
}

}  // namespace arbor::host::child_side
