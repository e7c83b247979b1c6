#include "daemon/host/probe_net.h"

#include "daemon/host/http_status.h"

#include <sys/socket.h>

#include <fmt/format.h>

#include <cstring>
#include <string_view>
#include <utility>

namespace arbor::host {

namespace {

std::string authority(const config::Probe& p) {
  const bool v6 = p.host.find(':') != std::string::npos;
  return v6 ? fmt::format("[{}]:{}", p.host, p.port) : fmt::format("{}:{}", p.host, p.port);
}

}  // namespace

bool NetProbe::start(uv_loop_t* loop, const config::Probe& probe, Finish finish, std::string& error) {
  probe_ = probe;
  finish_ = std::move(finish);
  sockaddr_storage addr{};
  const bool v6 = probe.host.find(':') != std::string::npos;
  int rc = v6 ? uv_ip6_addr(probe.host.c_str(), probe.port, reinterpret_cast<sockaddr_in6*>(&addr))
              : uv_ip4_addr(probe.host.c_str(), probe.port, reinterpret_cast<sockaddr_in*>(&addr));
  if (rc == 0) {
    tcp_ = uv::UvHandle<uv_tcp_t>::create(this, [loop](uv_tcp_t* h) { return uv_tcp_init(loop, h); });
    if (!tcp_) rc = UV_ENOMEM;
  }
  if (rc == 0) {
    connect_.data = this;
    rc = uv_tcp_connect(&connect_, tcp_.get(), reinterpret_cast<const sockaddr*>(&addr),
                        &NetProbe::on_connect);
  }
  if (rc != 0) {
    error = fmt::format("connect {}: {}", authority(probe_), uv_strerror(rc));
    return false;
  }
  return true;
}

void NetProbe::close_and_delete() {
  finish_ = nullptr;
  if (!tcp_) {
    delete this;
    return;
  }
  tcp_.reset([](void* self) { delete static_cast<NetProbe*>(self); }, this);
}

void NetProbe::finish(bool passed, std::string error) {
  Finish finish = std::move(finish_);
  close_and_delete();  // still alive until the close callback: `finish` is a local
  if (finish) finish(passed, std::move(error));
}

void NetProbe::on_connect(uv_connect_t* req, int status) {
  auto* self = static_cast<NetProbe*>(req->data);
  if (self == nullptr || !self->finish_) return;  // closed (UV_ECANCELED) or finished
  if (status < 0) {
    self->finish(false, fmt::format("connect {}: {}", authority(self->probe_), uv_strerror(status)));
    return;
  }
  self->connected();
}

void NetProbe::connected() {
  if (probe_.kind != config::Probe::Kind::http) {
    // Closed with a reset (SO_LINGER 0), as kubelet does: a plain close would leave a
    // TIME_WAIT socket per probe on arbord's side, and 1,000 probes a second would hold
    // 60,000 of them and run out of ephemeral ports.
    uv_os_fd_t fd;
    if (uv_fileno(tcp_.base(), &fd) == 0) {
      const linger reset{1, 0};
      setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    }
    finish(true, {});
    return;
  }
  request_ = fmt::format(
      "GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: arbor-probe\r\nAccept: */*\r\nConnection: close\r\n\r\n",
      probe_.path, authority(probe_));
  uv_buf_t buf = uv_buf_init(request_.data(), static_cast<unsigned>(request_.size()));
  write_.data = this;
  int rc = uv_write(&write_, tcp_.stream(), &buf, 1, &NetProbe::on_write);
  if (rc == 0) {
    rc = uv_read_start(
        tcp_.stream(),
        [](uv_handle_t* h, std::size_t, uv_buf_t* out) {
          auto* self = static_cast<NetProbe*>(h->data);
          *out = self != nullptr ? uv_buf_init(self->buf_, sizeof self->buf_) : uv_buf_init(nullptr, 0);
        },
        &NetProbe::on_read);
  }
  if (rc != 0) finish(false, fmt::format("GET {}: {}", probe_.path, uv_strerror(rc)));
}

void NetProbe::on_write(uv_write_t* req, int status) {
  auto* self = static_cast<NetProbe*>(req->data);
  if (self == nullptr || !self->finish_ || status >= 0) return;
  self->finish(false, fmt::format("GET {}: {}", self->probe_.path, uv_strerror(status)));
}

void NetProbe::on_read(uv_stream_t* stream, ssize_t n, const uv_buf_t* buf) {
  auto* self = static_cast<NetProbe*>(stream->data);
  if (self != nullptr && self->finish_) self->read(n, buf);
}

void NetProbe::read(ssize_t n, const uv_buf_t* buf) {
  const std::string& path = probe_.path;
  if (n == UV_EOF) {
    finish(false, fmt::format("GET {}: connection closed before a status line", path));
    return;
  }
  if (n < 0) {
    finish(false, fmt::format("GET {}: {}", path, uv_strerror(static_cast<int>(n))));
    return;
  }
  response_.append(buf->base, static_cast<std::size_t>(n));
  const HttpStatus status = http_status(response_);
  switch (status.kind) {
    case HttpStatus::Kind::incomplete:
      return;
    case HttpStatus::Kind::not_http:
      return finish(false, fmt::format("GET {}: not an HTTP answer", path));
    case HttpStatus::Kind::code:
      if (status.code >= 200 && status.code < 400) return finish(true, {});
      return finish(false, fmt::format("GET {}: {}", path, status.code));
  }
}

}  // namespace arbor::host
