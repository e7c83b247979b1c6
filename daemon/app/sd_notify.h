// SdNotify: arbord's own readiness protocol towards systemd (Type=notify): READY=1 once
// the tree is started, STOPPING=1, RELOADING=1, STATUS=. A no-op when arbord was not
// started with NOTIFY_SOCKET. The variable is never passed on to workers (exec_env).
#pragma once

#include <string>

namespace arbor::app {

class SdNotify {
 public:
  // Reads NOTIFY_SOCKET from the environment ("/path" or "@abstract").
  SdNotify();
  bool enabled() const { return !address_.empty(); }
  // Sends `state` ("READY=1\nSTATUS=..."); failures are ignored (systemd may be gone).
  void send(const std::string& state) const;

 private:
  std::string address_;
};

}  // namespace arbor::app
