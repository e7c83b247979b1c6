// NetProbe: one tcp or http probe on a uv_tcp_t (see prober.h).
//
// Lifetime: libuv calls the pending connect and write requests back (UV_ECANCELED) while it
// closes the handle, and frees nothing of ours; so a NetProbe lives until its handle's close
// callback, which deletes it. finish() reports once, then closes.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <string>

#include "config/tree_spec.h"
#include "daemon/uv/uv_handle.h"

namespace arbor::host {

class NetProbe {
 public:
  using Finish = std::function<void(bool passed, std::string error)>;

  // Connects to probe.host:probe.port; on failure to even start, returns false and sets `error`.
  bool start(uv_loop_t* loop, const config::Probe& probe, Finish finish, std::string& error);
  // Closes the socket; the NetProbe deletes itself once libuv is done with it. No Finish after.
  void close_and_delete();

 private:
  static void on_connect(uv_connect_t* req, int status);
  static void on_write(uv_write_t* req, int status);
  static void on_read(uv_stream_t* stream, ssize_t n, const uv_buf_t* buf);
  void connected();
  void read(ssize_t n, const uv_buf_t* buf);
  void finish(bool passed, std::string error);

  config::Probe probe_;
  Finish finish_;
  uv::UvHandle<uv_tcp_t> tcp_;
  uv_connect_t connect_{};
  uv_write_t write_{};
  std::string request_;
  std::string response_;
  char buf_[256];  // a status line's worth a read: http_status() needs no more
};

// Kept under glibc's large-request size (1,008 bytes): every malloc above it first merges
// the fast bins (malloc_consolidate), which at a thousand probes a second showed as a
// steady share of arbord's CPU in perf.
static_assert(sizeof(NetProbe) < 1008);

}  // namespace arbor::host
