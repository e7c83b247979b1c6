// ControlServer: arbord's control socket (docs/ARBORD.md and docs/PROTOCOL.md). Listens on a Unix stream
// socket created with mode 0600, accepts any number of clients, and hands each one's
// requests to the Dispatcher. Everything runs on arbord's libuv loop; no client can
// block it.
#pragma once

#include <uv.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "daemon/control/daemon.h"
#include "daemon/control/dispatcher.h"
#include "daemon/uv/uv_handle.h"

namespace arbor::control {

class Connection;

class ControlServer {
 public:
  ControlServer(uv_loop_t* loop, Daemon& daemon, std::string socket_path);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // Binds and listens. Returns false and sets `error` when the path is too long, its
  // directory cannot be made, another arbord is live on it, or the bind fails.
  bool start(std::string& error);

  // reexec: the listening socket's descriptor (-1 if none); in the new program, listening
  // on that descriptor again (the socket file is the same), and a client the old program
  // was answering, taken over on `fd` and sent `reply` (its answer to `reexec`).
  int listener_fd() const;
  bool adopt(int fd, std::string& error);
  void adopt_client(int fd, const nlohmann::json& reply);

  // Stops listening, ends every client's streams, closes the clients and removes the
  // socket file. Idempotent. The libuv handles finish closing on the next loop turn.
  void close();

  // The same as `arborctl reload [--dry-run]`, for SIGHUP.
  void reload(bool dry_run, std::function<void(const ReloadResult&)> done);

  const std::string& path() const { return path_; }

 private:
  void on_connection(int status) noexcept;

  uv_loop_t* loop_;
  Daemon& daemon_;
  std::string path_;
  Dispatcher dispatcher_;
  uv::UvHandle<uv_pipe_t> listener_;  // data: this
  std::vector<std::weak_ptr<Connection>> connections_;
  bool bound_ = false;
};

// The same as `arborctl reload`, for arbord's SIGHUP: logs the plan or the errors.
void reload_on_sighup(ControlServer& server);

}  // namespace arbor::control
