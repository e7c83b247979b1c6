#include "daemon/control/socket/connection.h"

#include <sys/socket.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <new>

namespace arbor::control {

using protocol::ErrorCode;

namespace {
struct WriteRequest {
  uv_write_t req{};
  std::string data;
};
// One read buffer for every connection: libuv calls the read callback right after the
// alloc callback, on this thread, and on_read copies what it keeps into the line reader.
// A buffer per connection cost 64 KiB each (64 MiB for a thousand watch clients).
constexpr std::size_t kReadChunk = 64 * 1024;
char g_read_buffer[kReadChunk];
}  // namespace

Connection::Connection(Dispatcher& dispatcher) : dispatcher_(dispatcher) {}

Connection::~Connection() = default;

uv_stream_t* Connection::stream() const { return pipe_.stream(); }

std::shared_ptr<Connection> Connection::accept(uv_stream_t* server, Dispatcher& dispatcher) {
  std::shared_ptr<Connection> conn(new Connection(dispatcher));
  int rc = 0;
  conn->pipe_ = uv::UvHandle<uv_pipe_t>::create(
      conn.get(), [&](uv_pipe_t* h) { return rc = uv_pipe_init(server->loop, h, 0); });
  if (!conn->pipe_) {
    spdlog::warn("control: accept failed: {}", uv_strerror(rc));
    return nullptr;
  }
  conn->self_ = conn;
  if (rc = uv_accept(server, conn->stream()); rc != 0) {
    spdlog::warn("control: accept failed: {}", uv_strerror(rc));
    conn->close();
    return nullptr;
  }
  return conn;
}

std::shared_ptr<Connection> Connection::open(uv_loop_t* loop, int fd, Dispatcher& dispatcher) {
  std::shared_ptr<Connection> conn(new Connection(dispatcher));
  int rc = 0;
  conn->pipe_ = uv::UvHandle<uv_pipe_t>::create(conn.get(),
                                                [&](uv_pipe_t* h) { return rc = uv_pipe_init(loop, h, 0); });
  if (!conn->pipe_) {
    ::close(fd);
    return nullptr;
  }
  conn->self_ = conn;
  if (rc = uv_pipe_open(conn->pipe_.get(), fd); rc != 0) {
    spdlog::warn("control: cannot take over the reexec client: {}", uv_strerror(rc));
    ::close(fd);
    conn->close();
    return nullptr;
  }
  return conn;
}

void Connection::answer(const nlohmann::json& reply) noexcept {
  ++unanswered_;
  send(reply, Kind::reply);
}

int Connection::handover_fd() const {
  uv_os_fd_t fd = -1;
  if (!pipe_ || uv_fileno(pipe_.base(), &fd) != 0) return -1;
  return fd;
}

std::string Connection::peer() const {
  return "pid " + std::to_string(peer_pid_) + " uid " + std::to_string(peer_uid_);
}

void Connection::start() {
  uv_os_fd_t fd = -1;
  ucred cred{};
  socklen_t len = sizeof cred;
  if (uv_fileno(pipe_.base(), &fd) != 0 || ::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
    spdlog::warn("control: cannot read a client's credentials; closing it");
    close();
    return;
  }
  peer_pid_ = cred.pid;
  peer_uid_ = cred.uid;
  if (cred.uid != 0 && cred.uid != ::geteuid()) {
    spdlog::warn("control: refused client {}: only root and uid {} may control arbord", peer(), ::geteuid());
    ++unanswered_;
    send(protocol::reply_error(nullptr, ErrorCode::forbidden,
                               "only root and uid " + std::to_string(::geteuid()) + " may control arbord"),
         Kind::reply);
    close_after_flush();
    return;
  }
  spdlog::debug("control: client {} connected", peer());
  uv_read_start(
      stream(),
      [](uv_handle_t*, std::size_t, uv_buf_t* buf) { *buf = uv_buf_init(g_read_buffer, kReadChunk); },
      [](uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
        static_cast<Connection*>(s->data)->on_read(nread, buf);
      });
}

void Connection::on_read(ssize_t nread, const uv_buf_t* buf) noexcept {
  if (nread == 0 || closing_) return;
  if (nread < 0) {
    uv_read_stop(stream());
    if (nread != UV_EOF) {
      close();
      return;
    }
    // The client sends no more. Answer what it asked, then close; streams it started
    // end here, as docs/PROTOCOL.md's "until the client hangs up" says.
    eof_ = true;
    if (unanswered_ == 0) close_after_flush();
    return;
  }
  // Keep ourselves alive across the dispatch: a command may close this connection.
  auto self = shared_from_this();
  try {
    reader_.feed(std::string_view(buf->base, static_cast<std::size_t>(nread)));
    while (open_) {
      auto line = reader_.next();
      if (!line) break;
      if (line->find_first_not_of(" \t") == std::string::npos) continue;  // blank lines are not requests
      ++unanswered_;
      dispatcher_.handle(self, *line);
    }
  } catch (const std::exception& e) {
    spdlog::error("control: client {}: {}; closing it", peer(), e.what());
    close();
    return;
  }
  if (open_ && reader_.overflowed()) {
    spdlog::warn("control: client {} sent a request over {} bytes; closing it", peer(),
                 protocol::kMaxLineBytes);
    ++unanswered_;
    send(protocol::reply_error(nullptr, ErrorCode::bad_request,
                               "request line over " + std::to_string(protocol::kMaxLineBytes) + " bytes"),
         Kind::reply);
    close_after_flush();
  }
}

void Connection::send(const nlohmann::json& message, Kind kind) noexcept {
  std::string line;
  try {
    line = protocol::encode_line(message);
  } catch (const std::exception& e) {
    spdlog::error("control: cannot encode a message for client {}: {}", peer(), e.what());
  }
  send_line(std::move(line), kind);
}

std::size_t Connection::unsent_bytes() const {
  return open_ && pipe_ ? uv_stream_get_write_queue_size(stream()) : 0;
}

void Connection::when_drained(std::function<void()> fn) { drained_ = std::move(fn); }

void Connection::send_line(std::string line, Kind kind) noexcept {
  if (kind == Kind::reply && unanswered_ > 0) --unanswered_;
  if (!open_) return;
  if (line.empty()) {
    close();
    return;
  }
  try {
    auto* req = new WriteRequest;
    req->data = std::move(line);
    const std::size_t queued = uv_stream_get_write_queue_size(stream());
    // One message always goes out whole, however long; past that, a client that does
    // not read may not make us hold more than the cap for it.
    if (queued > 0 && queued + req->data.size() > protocol::kMaxQueuedBytes) {
      delete req;
      spdlog::warn("control: dropping client {}: more than {} bytes of output unread", peer(),
                   protocol::kMaxQueuedBytes);
      close();
      return;
    }
    uv_buf_t buf = uv_buf_init(req->data.data(), static_cast<unsigned>(req->data.size()));
    req->req.data = this;
    const int rc = uv_write(&req->req, stream(), &buf, 1, [](uv_write_t* r, int status) {
      auto* w = reinterpret_cast<WriteRequest*>(r);
      auto* conn = static_cast<Connection*>(r->data);
      delete w;
      // The handle (and so the connection) outlives its write callbacks.
      if (status < 0 && status != UV_ECANCELED) {
        conn->close();
      } else if (conn->drained_ && conn->open_ && conn->unsent_bytes() == 0) {
        std::exchange(conn->drained_, nullptr)();
      }
    });
    if (rc != 0) {
      delete req;
      close();
      return;
    }
  } catch (const std::exception& e) {
    spdlog::error("control: cannot send to client {}: {}", peer(), e.what());
    close();
    return;
  }
  if (eof_ && unanswered_ == 0) close_after_flush();
}

void Connection::keep(std::unique_ptr<Handle> handle) {
  if (open_) streams_.push_back(std::move(handle));
}

void Connection::close() noexcept {
  open_ = false;
  if (!pipe_) return;
  closing_ = true;
  pipe_.reset([](void* self) { static_cast<Connection*>(self)->on_closed(); }, this);
}

void Connection::close_after_flush() noexcept {
  if (closing_) return;
  open_ = false;
  closing_ = true;
  uv_read_stop(stream());
  auto* req = new (std::nothrow) uv_shutdown_t;
  if (req == nullptr) {  // no memory for a clean EOF: close at once
    close();
    return;
  }
  req->data = this;
  const int rc = uv_shutdown(req, stream(), [](uv_shutdown_t* r, int) {
    auto* conn = static_cast<Connection*>(r->data);
    delete r;
    conn->close();
  });
  if (rc != 0) {
    delete req;
    close();
  }
}

void Connection::abandon() noexcept {
  drained_ = nullptr;  // it may refer to a stream
  streams_.clear();
  // A client that has read everything gets a clean EOF; one that has not is not
  // waited for, or arbord could never exit.
  if (pipe_ && !uv_is_closing(pipe_.base()) && uv_stream_get_write_queue_size(stream()) == 0) {
    close_after_flush();
  } else {
    close();
  }
}

void Connection::on_closed() noexcept {
  spdlog::debug("control: client {} closed", peer());
  drained_ = nullptr;  // it may refer to a stream
  streams_.clear();
  auto last = std::move(self_);  // libuv's reference: the connection may end here
}

}  // namespace arbor::control
