#include "daemon/control/socket/metrics_server.h"

#include <netinet/in.h>

#include <spdlog/spdlog.h>

#include <cstring>

#include "config/listen.h"
#include "daemon/control/http_request.h"
#include "daemon/control/metrics_text.h"

namespace arbor::control {

// One HTTP client: reads its request head (bounded), writes one response, closes. Holds
// itself (self_) from accept until its socket's close callback, as a control Connection.
class MetricsClient final : public std::enable_shared_from_this<MetricsClient> {
 public:
  static std::shared_ptr<MetricsClient> accept(uv_stream_t* server, Daemon& daemon,
                                               std::uint64_t deadline_ms);
  void close() noexcept;
  // False from close() on: its slot is free, though libuv has not yet called back.
  bool open() const { return static_cast<bool>(tcp_); }

 private:
  explicit MetricsClient(Daemon& daemon) : daemon_(daemon) {}
  void on_read(ssize_t nread) noexcept;
  void respond(int status, std::string_view content_type, std::string_view body) noexcept;
  void finish() noexcept;
  void on_closed() noexcept { auto last = std::move(self_); }

  Daemon& daemon_;
  uv::UvHandle<uv_tcp_t> tcp_;      // data: this
  uv::UvHandle<uv_timer_t> timer_;  // data: this; the deadline
  std::shared_ptr<MetricsClient> self_;
  std::string received_;
  char chunk_[2048];
  std::string response_;  // what uv_write is sending
  uv_write_t write_{};
  uv_shutdown_t shutdown_{};
  std::uint64_t linger_ms_ = 1000;
  bool responded_ = false;
};

std::shared_ptr<MetricsClient> MetricsClient::accept(uv_stream_t* server, Daemon& daemon,
                                                     std::uint64_t deadline_ms) {
  std::shared_ptr<MetricsClient> client(new MetricsClient(daemon));
  int rc = 0;
  client->tcp_ = uv::UvHandle<uv_tcp_t>::create(
      client.get(), [&](uv_tcp_t* h) { return rc = uv_tcp_init(server->loop, h); });
  if (!client->tcp_) {
    spdlog::warn("metrics: accept failed: {}", uv_strerror(rc));
    return nullptr;
  }
  client->self_ = client;
  if (rc = uv_accept(server, client->tcp_.stream()); rc != 0) {
    spdlog::warn("metrics: accept failed: {}", uv_strerror(rc));
    client->close();
    return nullptr;
  }
  client->timer_ = uv::UvHandle<uv_timer_t>::create(
      client.get(), [&](uv_timer_t* t) { return uv_timer_init(server->loop, t); });
  if (!client->timer_) {
    client->close();
    return nullptr;
  }
  uv_timer_start(
      client->timer_.get(),
      [](uv_timer_t* t) {
        if (auto* self = static_cast<MetricsClient*>(t->data)) {
          spdlog::debug("metrics: a client took over its deadline; closing it");
          self->close();
        }
      },
      deadline_ms, 0);
  uv_read_start(
      client->tcp_.stream(),
      [](uv_handle_t* h, std::size_t, uv_buf_t* buf) {
        auto* self = static_cast<MetricsClient*>(h->data);
        *buf = uv_buf_init(self->chunk_, sizeof self->chunk_);
      },
      [](uv_stream_t* s, ssize_t nread, const uv_buf_t*) {
        if (auto* self = static_cast<MetricsClient*>(s->data)) self->on_read(nread);
      });
  return client;
}

void MetricsClient::on_read(ssize_t nread) noexcept {
  if (nread == 0) return;
  if (nread < 0) {  // EOF or an error: before a whole request there is nothing to answer
    close();
    return;
  }
  if (responded_) return;  // what follows the head (a body, more requests) is discarded
  received_.append(chunk_, static_cast<std::size_t>(nread));
  const HttpRequestHead head = parse_http_head(received_);
  switch (head.status) {
    case HttpRequestHead::Status::incomplete:
      return;
    case HttpRequestHead::Status::malformed:
      return respond(400, "text/plain; charset=utf-8", "bad request: " + head.why + "\n");
    case HttpRequestHead::Status::too_large:
      return respond(431, "text/plain; charset=utf-8", "request head over 8 KiB\n");
    case HttpRequestHead::Status::complete:
      break;
  }
  const int status = http_status_for(head);
  if (status != 200) {
    return respond(status, "text/plain; charset=utf-8",
                   status == 404 ? "not found: only /metrics is served\n" : "only GET is allowed\n");
  }
  try {
    respond(200, kMetricsContentType, collect_metrics(daemon_));
  } catch (const std::exception& e) {
    spdlog::error("metrics: cannot render: {}", e.what());
    respond(503, "text/plain; charset=utf-8", "cannot render the metrics\n");
  }
}

void MetricsClient::respond(int status, std::string_view content_type, std::string_view body) noexcept {
  // Reading goes on (discarding) until the client's EOF: closing with unread bytes would
  // send a reset, which may destroy the response before the client has read it.
  responded_ = true;
  received_ = {};
  try {
    response_ = http_response(status, content_type, body);
  } catch (const std::exception&) {
    close();
    return;
  }
  uv_buf_t buf = uv_buf_init(response_.data(), static_cast<unsigned>(response_.size()));
  write_.data = this;
  const int rc = uv_write(&write_, tcp_.stream(), &buf, 1, [](uv_write_t* w, int status) {
    // The socket, and so this client, outlives its write callback (ECANCELED when closed).
    auto* self = static_cast<MetricsClient*>(w->data);
    if (status < 0 || !self->tcp_) return self->close();
    self->finish();
  });
  if (rc != 0) close();
}

// The response is out: send our FIN, and give the client a moment to read and close.
void MetricsClient::finish() noexcept {
  shutdown_.data = this;
  if (uv_shutdown(&shutdown_, tcp_.stream(), [](uv_shutdown_t* r, int status) {
        if (status < 0) static_cast<MetricsClient*>(r->data)->close();
      }) != 0) {
    return close();
  }
  uv_timer_stop(timer_.get());
  uv_timer_start(
      timer_.get(),
      [](uv_timer_t* t) {
        if (auto* self = static_cast<MetricsClient*>(t->data)) self->close();
      },
      linger_ms_, 0);
}

void MetricsClient::close() noexcept {
  timer_.reset();
  if (!tcp_) return;
  tcp_.reset([](void* self) { static_cast<MetricsClient*>(self)->on_closed(); }, this);
}

namespace {

// The sockaddr of a parsed tcp Listen (config/listen.h).
sockaddr_storage socket_address(const config::Listen& l) {
  sockaddr_storage storage{};
  if (l.ipv6) {
    auto& sa = reinterpret_cast<sockaddr_in6&>(storage);
    sa.sin6_family = AF_INET6;
    sa.sin6_port = htons(l.port);
    std::memcpy(&sa.sin6_addr, l.ip.data(), sizeof sa.sin6_addr);
    sa.sin6_scope_id = l.scope_id;
  } else {
    auto& sa = reinterpret_cast<sockaddr_in&>(storage);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(l.port);
    std::memcpy(&sa.sin_addr, l.ip.data(), sizeof sa.sin_addr);
  }
  return storage;
}

}  // namespace

MetricsServer::MetricsServer(uv_loop_t* loop, Daemon& daemon, config::Listen address,
                             std::uint64_t deadline_ms)
    : loop_(loop), daemon_(daemon), address_(std::move(address)), deadline_ms_(deadline_ms) {}

MetricsServer::~MetricsServer() { close(); }

bool MetricsServer::start(std::string& error) {
  int rc = 0;
  listener_ = uv::UvHandle<uv_tcp_t>::create(this, [&](uv_tcp_t* h) { return rc = uv_tcp_init(loop_, h); });
  if (listener_) {
    const sockaddr_storage sa = socket_address(address_);
    rc = uv_tcp_bind(listener_.get(), reinterpret_cast<const sockaddr*>(&sa), 0);
    if (rc == 0) {
      rc = uv_listen(listener_.stream(), 64, [](uv_stream_t* s, int status) {
        if (auto* server = static_cast<MetricsServer*>(s->data)) server->on_connection(status);
      });
    }
  }
  if (rc != 0) {
    error = "metrics: cannot listen on " + config::describe(address_) + ": " + uv_strerror(rc);
    close();
    return false;
  }
  spdlog::info("metrics: serving GET /metrics on {}", config::describe(address_));
  return true;
}

void MetricsServer::on_connection(int status) noexcept {
  if (status < 0) {
    spdlog::warn("metrics: incoming connection failed: {}", uv_strerror(status));
    return;
  }
  // A client closed in this loop turn frees its slot now: its socket is closed already.
  std::erase_if(clients_, [](const std::weak_ptr<MetricsClient>& c) {
    const auto client = c.lock();
    return !client || !client->open();
  });
  auto client = MetricsClient::accept(listener_.stream(), daemon_, deadline_ms_);
  if (!client) return;
  if (clients_.size() >= kMaxClients) {
    spdlog::warn("metrics: {} clients already; closing a new one", kMaxClients);
    client->close();
    return;
  }
  clients_.push_back(client);
}

void MetricsServer::close() {
  for (auto& weak : clients_) {
    if (auto client = weak.lock()) client->close();
  }
  clients_.clear();
  listener_.reset();
}

}  // namespace arbor::control
