#include "daemon/host/readiness.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <string_view>
#include <utility>

#include "daemon/host/spawn.h"
#include "daemon/uv/uv_handle.h"

namespace arbor::host {

std::unique_ptr<Readiness> Readiness::create(uv_loop_t* loop, Sys& sys, const config::Ready& ready,
                                             std::string& error) {
  std::unique_ptr<Readiness> self(new Readiness(sys));
  self->loop_ = loop;
  self->kind_ = ready.kind;
  switch (ready.kind) {
    case config::Ready::Kind::none:
    case config::Ready::Kind::probe:  // the core's probes, not a channel of the worker's
      return nullptr;
    case config::Ready::Kind::fd: {
      if (ready.fd < 3) {
        error = stage_error("ready fd", EBADF);
        return nullptr;
      }
      int fds[2];
      if (sys.pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0) {
        error = stage_error("pipe", errno);
        return nullptr;
      }
      // The child's end must block like an ordinary fd would.
      sys.fcntl(fds[1], F_SETFL, 0);
      self->fd_ = fds[0];
      self->child_fd_ = fds[1];
      return self;
    }
    case config::Ready::Kind::notify: {
      // Abstract and autobound (as s6 does): no file to clean up, a fresh name per worker.
      self->fd_ = sys.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
      sockaddr_un addr{};
      addr.sun_family = AF_UNIX;
      socklen_t len = sizeof(sa_family_t);  // an address of just the family asks for autobind
      const int on = 1;
      bool ok = self->fd_ >= 0 && sys.bind(self->fd_, reinterpret_cast<sockaddr*>(&addr), len) == 0 &&
                sys.setsockopt(self->fd_, SOL_SOCKET, SO_PASSCRED, &on, sizeof on) == 0;
      len = sizeof addr;
      ok = ok && sys.getsockname(self->fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
      if (!ok) {
        error = stage_error("notify socket", errno);
        return nullptr;  // the destructor closes fd_
      }
      const std::size_t name_len = len - offsetof(sockaddr_un, sun_path);
      self->notify_name_ = "@" + std::string(addr.sun_path + 1, name_len > 0 ? name_len - 1 : 0);
      return self;
    }
  }
  return nullptr;
}

std::unique_ptr<Readiness> Readiness::adopt(uv_loop_t* loop, Sys& sys, config::Ready::Kind kind, int fd,
                                            std::string notify_name) {
  std::unique_ptr<Readiness> self(new Readiness(sys));
  self->loop_ = loop;
  self->kind_ = kind;
  self->fd_ = fd;
  self->notify_name_ = std::move(notify_name);
  return self;
}

Readiness::~Readiness() { close(); }

void Readiness::start(pid_t leader, std::function<void()> on_ready,
                      std::function<void(std::string)> on_status) {
  leader_ = leader;
  on_ready_ = std::move(on_ready);
  on_status_ = std::move(on_status);
  if (child_fd_ >= 0) sys_.close(child_fd_);
  child_fd_ = -1;
  poll_ = uv::UvHandle<uv_poll_t>::create(this, [&](uv_poll_t* h) { return uv_poll_init(loop_, h, fd_); });
  if (poll_) uv_poll_start(poll_.get(), UV_READABLE, &Readiness::on_readable);
}

void Readiness::on_readable(uv_poll_t* handle, int /*status*/, int /*events*/) {
  if (auto* self = static_cast<Readiness*>(handle->data)) self->drain();
}

void Readiness::drain() {
  if (fd_ < 0) return;
  if (kind_ == config::Ready::Kind::fd) {
    read_pipe();
  } else {
    read_socket();
  }
}

void Readiness::read_pipe() {
  char buf[512];
  for (;;) {
    ssize_t n = sys_.read(fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return;  // EAGAIN: wait for more
    if (n == 0) {       // EOF before a newline: not ready; the exit will be reported
      close();
      return;
    }
    if (std::memchr(buf, '\n', static_cast<std::size_t>(n)) != nullptr) {
      signal_ready();
      return;
    }
  }
}

void Readiness::read_socket() {
  char buf[4096];
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred))];
  while (fd_ >= 0) {
    iovec iov{buf, sizeof buf};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = sys_.recvmsg(fd_, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return;
    const ucred* cred = nullptr;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
        cred = reinterpret_cast<const ucred*>(CMSG_DATA(c));
      }
    }
    if (cred == nullptr || (cred->pid != leader_ && sys_.getpgid(cred->pid) != leader_)) continue;
    handle_datagram(std::string_view(buf, static_cast<std::size_t>(n)));
  }
}

void Readiness::handle_datagram(std::string_view payload) {
  // Newline-separated assignments (sd_notify(3)). READY=1, STATUS= and WATCHDOG= mean
  // something here; STOPPING=1 and the rest are read and dropped.
  while (!payload.empty()) {
    const std::size_t end = payload.find('\n');
    const std::string_view line = payload.substr(0, end);
    if (line == "READY=1") {
      signal_ready();
    } else if (line.substr(0, 7) == "STATUS=" && on_status_) {
      on_status_(std::string(line.substr(7)));
    } else if ((line == "WATCHDOG=1" || line == "WATCHDOG=trigger") && on_watchdog_) {
      on_watchdog_(line == "WATCHDOG=trigger");
    }
    if (fd_ < 0) return;  // a callback closed the channel
    payload = end == std::string_view::npos ? std::string_view{} : payload.substr(end + 1);
  }
}

void Readiness::signal_ready() {
  auto on_ready = std::move(on_ready_);           // at most once
  if (kind_ == config::Ready::Kind::fd) close();  // a notify socket stays for later messages
  if (on_ready) on_ready();
}

void Readiness::close() noexcept {
  poll_.reset();
  if (fd_ >= 0) sys_.close(fd_);
  if (child_fd_ >= 0) sys_.close(child_fd_);
  fd_ = child_fd_ = -1;
}

}  // namespace arbor::host
