// Sys: the process host's one seam to the kernel (as dinit's bp_sys).
//
// Every system call the host makes from arbord's side goes through a Sys that its owner
// passes in at construction, so the failure paths (pidfd_open failing, EMFILE, ENOSPC,
// EAGAIN on a pipe) are unit-tested with a fake that injects them, without root. Sys
// itself forwards each call to the kernel unchanged; a fake derives from it and
// overrides only what it breaks. The clone child in spawn.cpp keeps raw system calls: it
// runs in arbord's memory before exec and must stay async-signal-safe and allocation-free.
// libuv's own calls are not covered (libuv is not the kernel).
#pragma once

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <cstddef>
#include <cstdint>

namespace arbor::host {

class Sys {
 public:
  Sys() = default;
  virtual ~Sys() = default;
  Sys(const Sys&) = delete;
  Sys& operator=(const Sys&) = delete;

  // The forwarding instance, for owners that inject nothing (arbord itself).
  static Sys& real();

  // Processes.
  virtual int pidfd_open(pid_t pid);
  virtual int waitid(idtype_t type, id_t id, siginfo_t* info, int options);
  virtual int kill(pid_t pid, int signo);
  virtual pid_t getpgid(pid_t pid);
  virtual int prctl(int option, unsigned long arg);

  // Descriptors.
  virtual int pipe2(int fds[2], int flags);
  virtual int dup3(int from, int to, int flags);
  virtual int fcntl(int fd, int cmd, int arg);
  virtual int open(const char* path, int flags, mode_t mode);
  virtual int openat(int dir_fd, const char* path, int flags, mode_t mode);
  virtual int close(int fd);
  virtual ssize_t read(int fd, void* buf, std::size_t size);
  virtual ssize_t write(int fd, const void* buf, std::size_t size);
  virtual ssize_t pread(int fd, void* buf, std::size_t size, off_t offset);

  // Files.
  virtual int fstat(int fd, struct stat* st);
  virtual int stat(const char* path, struct stat* st);
  virtual int mkdir(const char* path, mode_t mode);
  virtual int rename(const char* from, const char* to);
  virtual int unlink(const char* path);
  virtual int ftruncate(int fd, off_t size);
  virtual int fsync(int fd);
  virtual int flock(int fd, int operation);
  virtual int rmdir(const char* path);

  // inotify (a cgroup's cgroup.events: see cgroup_watch.h).
  virtual int inotify_init1(int flags);
  virtual int inotify_add_watch(int fd, const char* path, std::uint32_t mask);
  virtual int inotify_rm_watch(int fd, int wd);

  // epoll (the reaper's set of pidfds).
  virtual int epoll_create1(int flags);
  virtual int epoll_ctl(int epfd, int op, int fd, epoll_event* event);
  virtual int epoll_wait(int epfd, epoll_event* events, int max_events, int timeout);

  // Sockets (the notify socket).
  virtual int socket(int domain, int type, int protocol);
  virtual int bind(int fd, const sockaddr* addr, socklen_t len);
  virtual int setsockopt(int fd, int level, int name, const void* value, socklen_t len);
  virtual int getsockname(int fd, sockaddr* addr, socklen_t* len);
  virtual ssize_t recvmsg(int fd, msghdr* msg, int flags);
  // The workers' listening sockets (listen_sockets.cpp).
  virtual int listen(int fd, int backlog);
  virtual int connect(int fd, const sockaddr* addr, socklen_t len);
  virtual int lstat(const char* path, struct stat* st);
  virtual int chmod(const char* path, mode_t mode);
  virtual int chown(const char* path, uid_t uid, gid_t gid);
};

}  // namespace arbor::host
