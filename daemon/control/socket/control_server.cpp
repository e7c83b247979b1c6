#include "daemon/control/socket/control_server.h"

#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "daemon/control/socket/connection.h"
#include "daemon/control/socket/socket_path.h"

namespace arbor::control {

ControlServer::ControlServer(uv_loop_t* loop, Daemon& daemon, std::string socket_path)
    : loop_(loop), daemon_(daemon), path_(std::move(socket_path)), dispatcher_(daemon_) {}

ControlServer::~ControlServer() { close(); }

bool ControlServer::start(std::string& error) {
  error = prepare_socket_path(path_);
  if (!error.empty()) return false;
  int rc = 0;
  listener_ =
      uv::UvHandle<uv_pipe_t>::create(this, [&](uv_pipe_t* h) { return rc = uv_pipe_init(loop_, h, 0); });
  if (!listener_) {
    error = "cannot listen on " + path_ + ": " + uv_strerror(rc);
    return false;
  }
  // Born 0600: a umask of 0177 around bind() means there is no moment in which
  // another user could connect before a chmod.
  const mode_t old_umask = ::umask(0177);
  rc = uv_pipe_bind(listener_.get(), path_.c_str());
  ::umask(old_umask);
  if (rc == 0) {
    bound_ = true;
    rc = uv_listen(listener_.stream(), 128, [](uv_stream_t* s, int status) {
      // data is cleared by close(): a connection queued before it finds no server
      if (auto* server = static_cast<ControlServer*>(s->data); server != nullptr)
        server->on_connection(status);
    });
  }
  if (rc != 0) {
    error = "cannot listen on " + path_ + ": " + uv_strerror(rc);
    close();
    return false;
  }
  spdlog::info("control: listening on {}", path_);
  return true;
}

int ControlServer::listener_fd() const {
  uv_os_fd_t fd = -1;
  if (!listener_ || uv_fileno(listener_.base(), &fd) != 0) return -1;
  return fd;
}

bool ControlServer::adopt(int fd, std::string& error) {
  int rc = 0;
  listener_ =
      uv::UvHandle<uv_pipe_t>::create(this, [&](uv_pipe_t* h) { return rc = uv_pipe_init(loop_, h, 0); });
  if (listener_) rc = uv_pipe_open(listener_.get(), fd);
  if (listener_ && rc == 0) {
    bound_ = true;
    rc = uv_listen(listener_.stream(), 128, [](uv_stream_t* s, int status) {
      if (auto* server = static_cast<ControlServer*>(s->data); server != nullptr)
        server->on_connection(status);
    });
  }
  if (rc != 0) {
    error = "cannot listen on " + path_ + " (descriptor " + std::to_string(fd) + "): " + uv_strerror(rc);
    return false;
  }
  return true;
}

void ControlServer::adopt_client(int fd, const nlohmann::json& reply) {
  auto conn = Connection::open(loop_, fd, dispatcher_);
  if (!conn) return;
  connections_.push_back(conn);
  conn->start();
  conn->answer(reply);
}

void ControlServer::on_connection(int status) noexcept {
  if (status < 0) {
    spdlog::warn("control: incoming connection failed: {}", uv_strerror(status));
    return;
  }
  std::erase_if(connections_, [](const std::weak_ptr<Connection>& c) { return c.expired(); });
  auto conn = Connection::accept(listener_.stream(), dispatcher_);
  if (!conn) return;
  connections_.push_back(conn);
  conn->start();
}

void ControlServer::close() {
  for (auto& weak : connections_) {
    if (auto conn = weak.lock()) conn->abandon();
  }
  connections_.clear();
  listener_.reset();
  if (bound_) {
    bound_ = false;
    ::unlink(path_.c_str());
  }
}

void ControlServer::reload(bool dry_run, std::function<void(const ReloadResult&)> done) {
  // A SIGHUP's reload: a `command` event with no uid.
  dispatcher_.reloader().reload(dry_run, std::move(done), core::Origin{"reload", std::nullopt});
}

void reload_on_sighup(ControlServer& server) {
  spdlog::info("SIGHUP: reloading the configuration");
  server.reload(false, [](const ReloadResult& result) {
    if (!result.ok) {
      spdlog::error("reload refused ({}); the tree is unchanged:\n{}", protocol::to_string(result.code),
                    result.message);
      return;
    }
    std::size_t changed = 0;
    for (const auto& entry : result.plan.plan) changed += entry.action != "unchanged" ? 1 : 0;
    spdlog::info("reload done: {} of {} paths changed", changed, result.plan.plan.size());
  });
}

}  // namespace arbor::control
