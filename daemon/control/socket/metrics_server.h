// MetricsServer: GET /metrics over HTTP/1.1 on arbord's libuv loop (SPEC §11, `"metrics":
// {"listen": "HOST:PORT"}`, docs/OBSERVABILITY.md). Read-only: it renders collect_metrics()
// and nothing else; no request reaches the Dispatcher.
//
// Bounded like the control socket's clients: a request head over 8 KiB is refused (431),
// a client gets one response and is closed (Connection: close), at most kMaxClients are
// served at once (more are closed on accept), and each client has kDeadlineMs from accept
// to the end of its response: one that sends nothing, or never reads, is closed then, and
// holds at most its one response meanwhile. Nothing of this blocks the loop.
#pragma once

#include <uv.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config/tree_spec.h"
#include "daemon/control/daemon.h"
#include "daemon/uv/uv_handle.h"

namespace arbor::control {

class MetricsClient;

class MetricsServer {
 public:
  static constexpr std::size_t kMaxClients = 16;
  static constexpr std::uint64_t kDeadlineMs = 10000;

  // `deadline_ms`: tests shorten it.
  MetricsServer(uv_loop_t* loop, Daemon& daemon, config::Listen address,
                std::uint64_t deadline_ms = kDeadlineMs);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // Binds and listens. Returns false and sets `error` ("metrics: cannot listen on tcp
  // 127.0.0.1:9100: address already in use") when it cannot.
  bool start(std::string& error);
  // Stops listening and closes every client. Idempotent.
  void close();

 private:
  void on_connection(int status) noexcept;

  uv_loop_t* loop_;
  Daemon& daemon_;
  config::Listen address_;
  std::uint64_t deadline_ms_;
  uv::UvHandle<uv_tcp_t> listener_;  // data: this
  std::vector<std::weak_ptr<MetricsClient>> clients_;
};

}  // namespace arbor::control
