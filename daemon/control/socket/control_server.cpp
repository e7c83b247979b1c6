#include "daemon/control/socket/control_server.h"

#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "daemon/control/socket/connection.h"
#include "daemon/control/socket/socket_path.h"

namespace arbor::control {

struct ControlServer::Listener {
  uv_pipe_t handle{};
  ControlServer* server = nullptr;  // cleared by close(): the callback may come later
};

ControlServer::ControlServer(uv_loop_t* loop, Daemon& daemon, std::string socket_path)
    : loop_(loop), daemon_(daemon), path_(std::move(socket_path)), dispatcher_(daemon_) {}

ControlServer::~ControlServer() { close(); }

bool ControlServer::start(std::string& error) {
  error = prepare_socket_path(path_);
  if (!error.empty()) return false;
  listener_ = new Listener;
  listener_->server = this;
  uv_pipe_init(loop_, &listener_->handle, 0);
  listener_->handle.data = listener_;
  // Born 0600: a umask of 0177 around bind() means there is no moment in which
  // another user could connect before a chmod.
  const mode_t old_umask = ::umask(0177);
  int rc = uv_pipe_bind(&listener_->handle, path_.c_str());
  ::umask(old_umask);
  if (rc == 0) {
    bound_ = true;
    rc = uv_listen(reinterpret_cast<uv_stream_t*>(&listener_->handle), 128, [](uv_stream_t* s, int status) {
      auto* l = static_cast<Listener*>(s->data);
      if (l->server != nullptr) l->server->on_connection(status);
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

void ControlServer::on_connection(int status) noexcept {
  if (status < 0) {
    spdlog::warn("control: incoming connection failed: {}", uv_strerror(status));
    return;
  }
  std::erase_if(connections_, [](const std::weak_ptr<Connection>& c) { return c.expired(); });
  auto conn = Connection::accept(reinterpret_cast<uv_stream_t*>(&listener_->handle), dispatcher_);
  if (!conn) return;
  connections_.push_back(conn);
  conn->start();
}

void ControlServer::close() {
  for (auto& weak : connections_) {
    if (auto conn = weak.lock()) conn->abandon();
  }
  connections_.clear();
  if (listener_ != nullptr) {
    listener_->server = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(&listener_->handle),
             [](uv_handle_t* h) { delete static_cast<Listener*>(h->data); });
    listener_ = nullptr;
  }
  if (bound_) {
    bound_ = false;
    ::unlink(path_.c_str());
  }
}

void ControlServer::reload(bool dry_run, std::function<void(const ReloadResult&)> done) {
  dispatcher_.reloader().reload(dry_run, std::move(done));
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
