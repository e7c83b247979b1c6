#include "daemon/host/sys.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>

namespace arbor::host {

Sys& Sys::real() {
  static Sys forwarding;
  return forwarding;
}

int Sys::pidfd_open(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0U)); }
int Sys::waitid(idtype_t type, id_t id, siginfo_t* info, int options) {
  return ::waitid(type, id, info, options);
}
int Sys::kill(pid_t pid, int signo) { return ::kill(pid, signo); }
pid_t Sys::getpgid(pid_t pid) { return ::getpgid(pid); }
int Sys::prctl(int option, unsigned long arg) { return ::prctl(option, arg, 0UL, 0UL, 0UL); }

int Sys::pipe2(int fds[2], int flags) { return ::pipe2(fds, flags); }
int Sys::dup3(int from, int to, int flags) { return ::dup3(from, to, flags); }
int Sys::fcntl(int fd, int cmd, int arg) { return ::fcntl(fd, cmd, arg); }
int Sys::open(const char* path, int flags, mode_t mode) { return ::open(path, flags, mode); }
int Sys::openat(int dir_fd, const char* path, int flags, mode_t mode) {
  return ::openat(dir_fd, path, flags, mode);
}
int Sys::close(int fd) { return ::close(fd); }
ssize_t Sys::read(int fd, void* buf, std::size_t size) { return ::read(fd, buf, size); }
ssize_t Sys::write(int fd, const void* buf, std::size_t size) { return ::write(fd, buf, size); }
ssize_t Sys::pread(int fd, void* buf, std::size_t size, off_t offset) {
  return ::pread(fd, buf, size, offset);
}

int Sys::fstat(int fd, struct stat* st) { return ::fstat(fd, st); }
int Sys::stat(const char* path, struct stat* st) { return ::stat(path, st); }
int Sys::mkdir(const char* path, mode_t mode) { return ::mkdir(path, mode); }
int Sys::rename(const char* from, const char* to) { return std::rename(from, to); }
int Sys::unlink(const char* path) { return ::unlink(path); }
int Sys::ftruncate(int fd, off_t size) { return ::ftruncate(fd, size); }
int Sys::fsync(int fd) { return ::fsync(fd); }
int Sys::flock(int fd, int operation) { return ::flock(fd, operation); }
int Sys::rmdir(const char* path) { return ::rmdir(path); }

int Sys::inotify_init1(int flags) { return ::inotify_init1(flags); }
int Sys::inotify_add_watch(int fd, const char* path, std::uint32_t mask) {
  return ::inotify_add_watch(fd, path, mask);
}
int Sys::inotify_rm_watch(int fd, int wd) { return ::inotify_rm_watch(fd, wd); }

int Sys::epoll_create1(int flags) { return ::epoll_create1(flags); }
int Sys::epoll_ctl(int epfd, int op, int fd, epoll_event* event) { return ::epoll_ctl(epfd, op, fd, event); }
int Sys::epoll_wait(int epfd, epoll_event* events, int max_events, int timeout) {
  return ::epoll_wait(epfd, events, max_events, timeout);
}

int Sys::socket(int domain, int type, int protocol) { return ::socket(domain, type, protocol); }
int Sys::bind(int fd, const sockaddr* addr, socklen_t len) { return ::bind(fd, addr, len); }
int Sys::setsockopt(int fd, int level, int name, const void* value, socklen_t len) {
  return ::setsockopt(fd, level, name, value, len);
}
int Sys::getsockname(int fd, sockaddr* addr, socklen_t* len) { return ::getsockname(fd, addr, len); }
ssize_t Sys::recvmsg(int fd, msghdr* msg, int flags) { return ::recvmsg(fd, msg, flags); }
int Sys::listen(int fd, int backlog) { return ::listen(fd, backlog); }
int Sys::connect(int fd, const sockaddr* addr, socklen_t len) { return ::connect(fd, addr, len); }
int Sys::lstat(const char* path, struct stat* st) { return ::lstat(path, st); }
int Sys::chmod(const char* path, mode_t mode) { return ::chmod(path, mode); }
int Sys::chown(const char* path, uid_t uid, gid_t gid) { return ::chown(path, uid, gid); }

}  // namespace arbor::host
