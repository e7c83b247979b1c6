// Dispatcher: one request line in, the reply (and any stream lines) out through the
// session. It owns no sockets, so unit tests drive it with a fake session and a fake
// daemon. This is the exception boundary of the control protocol: nothing a client
// sends escapes as an exception.
#pragma once

#include <memory>
#include <string_view>

#include "daemon/control/daemon.h"
#include "daemon/control/reloader.h"
#include "daemon/control/session.h"

namespace arbor::control {

class Dispatcher {
 public:
  explicit Dispatcher(Daemon& daemon) : daemon_(daemon), reloader_(daemon) {}

  // Parses `line` as a request and runs its command. Malformed JSON, an unknown cmd or
  // bad args answer bad_request; the session stays usable either way.
  void handle(const std::shared_ptr<Session>& session, std::string_view line) noexcept;

  // `reload` for arbord's SIGHUP, sharing the busy state with the `reload` command.
  Reloader& reloader() { return reloader_; }

 private:
  Daemon& daemon_;
  Reloader reloader_;
};

}  // namespace arbor::control
