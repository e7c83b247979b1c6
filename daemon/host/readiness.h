// The readiness signal of one worker: a newline on fd N, or READY=1 over NOTIFY_SOCKET.
//
// Only reports readiness; the timeout belongs to the core. After the first readiness (or
// EOF on the fd pipe) the channel closes itself, so a running worker costs arbord no
// descriptor for it.
#pragma once

#include <sys/types.h>
#include <uv.h>

#include <functional>
#include <memory>
#include <string>

#include "config/tree_spec.h"

namespace arbor::host {

class Readiness {
 public:
  // Creates the channel for `ready` (kind fd or notify). On failure returns nullptr and
  // sets `error` ("pipe: ...", "notify socket: ...").
  static std::unique_ptr<Readiness> create(uv_loop_t* loop, const config::Ready& ready, std::string& error);
  ~Readiness();
  Readiness(const Readiness&) = delete;
  Readiness& operator=(const Readiness&) = delete;

  // The pipe's write end, to become fd `ready.fd` in the child (fd kind; else -1).
  int child_fd() const { return child_fd_; }
  // NOTIFY_SOCKET's value for the child, "@name" (notify kind; else empty).
  const std::string& notify_socket() const { return notify_name_; }

  // After fork: drops the parent's copy of the child end and starts watching. Datagrams
  // count only from `leader` or from a process in its group (pgid == leader).
  void start(pid_t leader, std::function<void()> on_ready);

  // Reads what is already pending, synchronously (at the leader's exit, while it is a
  // zombie, so a READY=1 sent just before exiting is still attributed).
  void drain();

  // Closes the handle and descriptors. Idempotent.
  void close() noexcept;

 private:
  Readiness() = default;
  static void on_readable(uv_poll_t* handle, int status, int events);
  void read_pipe();
  void read_socket();
  void signal_ready();

  config::Ready::Kind kind_ = config::Ready::Kind::none;
  int fd_ = -1;        // read end / socket
  int child_fd_ = -1;  // write end (fd kind), closed by start()
  std::string notify_name_;
  pid_t leader_ = 0;
  uv_poll_t* poll_ = nullptr;
  uv_loop_t* loop_ = nullptr;
  std::function<void()> on_ready_;
};

}  // namespace arbor::host
