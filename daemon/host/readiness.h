// The readiness signal of one worker: a newline on fd N, or READY=1 over NOTIFY_SOCKET.
//
// Only reports readiness; the timeout belongs to the core. An fd pipe closes itself after
// the first newline (or EOF), so a running worker costs arbord no descriptor for it. A
// notify socket stays open for the worker's whole life, as systemd's does: later
// datagrams are read and acted on (STATUS=, WATCHDOG=1, WATCHDOG=trigger) or ignored
// (STOPPING=1, unknown assignments), never refused with ECONNREFUSED (redis logs an error
// at each stop then). A worker with a `watchdog` and no notify readiness gets a notify
// socket of its own for WATCHDOG= alone.
#pragma once

#include <sys/types.h>
#include <uv.h>

#include <functional>
#include <memory>
#include <string>

#include "config/tree_spec.h"
#include "daemon/host/sys.h"
#include "daemon/uv/uv_handle.h"

namespace arbor::host {

class Readiness {
 public:
  // Creates the channel for `ready` (kind fd or notify). On failure returns nullptr and
  // sets `error` ("pipe: ...", "notify socket: ..."). `sys` outlives the channel.
  static std::unique_ptr<Readiness> create(uv_loop_t* loop, Sys& sys, const config::Ready& ready,
                                           std::string& error);
  // reexec: the channel of an earlier program of this process, still open as `fd`
  // (kind fd or notify); start() it as a new one.
  static std::unique_ptr<Readiness> adopt(uv_loop_t* loop, Sys& sys, config::Ready::Kind kind, int fd,
                                          std::string notify_name);
  ~Readiness();
  Readiness(const Readiness&) = delete;
  Readiness& operator=(const Readiness&) = delete;

  // The pipe's write end, to become fd `ready.fd` in the child (fd kind; else -1).
  int child_fd() const { return child_fd_; }
  // NOTIFY_SOCKET's value for the child, "@name" (notify kind; else empty).
  const std::string& notify_socket() const { return notify_name_; }

  // After fork: drops the parent's copy of the child end and starts watching. Datagrams
  // count only from `leader` or from a process in its group (pgid == leader). `on_ready`
  // runs at most once; `on_status` with the text of each STATUS= assignment.
  void start(pid_t leader, std::function<void()> on_ready, std::function<void(std::string)> on_status = {});

  // `fn(trigger)` for each WATCHDOG=1 (false) and WATCHDOG=trigger (true). Set before start().
  void on_watchdog(std::function<void(bool trigger)> fn) { on_watchdog_ = std::move(fn); }

  // Reads what is already pending, synchronously (at the leader's exit, while it is a
  // zombie, so a READY=1 sent just before exiting is still attributed).
  void drain();

  // The descriptor read (-1 once closed: an fd pipe after its newline) and its kind.
  int fd() const { return fd_; }
  config::Ready::Kind kind() const { return kind_; }

  // Closes the handle and descriptors. Idempotent.
  void close() noexcept;

 private:
  explicit Readiness(Sys& sys) : sys_(sys) {}
  static void on_readable(uv_poll_t* handle, int status, int events);
  void read_pipe();
  void read_socket();
  void handle_datagram(std::string_view payload);
  void signal_ready();

  config::Ready::Kind kind_ = config::Ready::Kind::none;
  int fd_ = -1;        // read end / socket
  int child_fd_ = -1;  // write end (fd kind), closed by start()
  std::string notify_name_;
  pid_t leader_ = 0;
  Sys& sys_;
  uv::UvHandle<uv_poll_t> poll_;
  uv_loop_t* loop_ = nullptr;
  std::function<void()> on_ready_;
  std::function<void(std::string)> on_status_;
  std::function<void(bool)> on_watchdog_;
};

}  // namespace arbor::host
