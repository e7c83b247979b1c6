// SdNotify: arbord's own readiness protocol towards systemd (Type=notify): READY=1 once
// the tree is started, STOPPING=1, RELOADING=1, STATUS=, WATCHDOG=1. A no-op when arbord was
// not started with NOTIFY_SOCKET. The variable is never passed on to workers (exec_env).
//
// Never blocks the loop. A datagram socket's send waits while the receiver's queue is full
// (net.unix.max_dgram_qlen, 10 by default): a PID 1 that stops reading would otherwise stop
// supervision at the next watchdog ping. So every send is MSG_DONTWAIT; when the queue is
// full a WATCHDOG=1 ping is dropped (the next one follows half an interval later), and any
// other message is kept — the latest one only: the state systemd should end up with — and
// sent again every 100 ms by a timer that does not keep the loop alive. One warning when
// the queue fills, one line when it drains.
#pragma once

#include <uv.h>

#include <cstdint>
#include <string>

#include "daemon/uv/uv_handle.h"

namespace arbor::app {

class SdNotify {
 public:
  // Reads NOTIFY_SOCKET from the environment ("/path" or "@abstract").
  SdNotify();
  bool enabled() const { return !address_.empty(); }
  // From here on a message the queue had no room for is retried on `loop`; detach() before
  // the loop closes.
  void attach(uv_loop_t* loop) { loop_ = loop; }
  void detach();
  // Sends `state` ("READY=1\nSTATUS=..."). Other failures than a full queue are ignored
  // (systemd may be gone).
  void send(const std::string& state);

 private:
  static constexpr std::uint64_t kRetryMs = 100;
  // 0 when sent, else the errno.
  int try_send(const std::string& state) const;
  void full();
  void drained();
  void retry();

  std::string address_;
  uv_loop_t* loop_ = nullptr;
  std::string pending_;
  uv::UvHandle<uv_timer_t> retry_;
  std::uint64_t dropped_ = 0;
  bool full_ = false;
};

}  // namespace arbor::app
