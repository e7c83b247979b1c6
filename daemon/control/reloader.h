// Reloader: `reload` and `reload --dry-run` (docs/ARBORCTL.md), shared by the control command
// and arbord's SIGHUP so both behave the same.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "daemon/control/daemon.h"
#include "daemon/protocol/commands/reload.h"
#include "daemon/protocol/error_code.h"

namespace arbor::control {

struct ReloadResult {
  bool ok = false;
  protocol::ErrorCode code = protocol::ErrorCode::bad_spec;  // !ok
  std::string message;                                       // !ok: diagnostics, one per line
  protocol::commands::Reload::Result plan;                   // ok
};

class Reloader {
 public:
  explicit Reloader(Daemon& daemon) : daemon_(daemon) {}

  // Re-reads the config file. A file that fails validation changes nothing and answers
  // bad_spec with its diagnostics, one per line, each starting "FILE: ". Otherwise the plan is answered at
  // once (dry run), or once the tree has applied it. A reload while another is being applied answers busy.
  // `done` is called exactly once, maybe later; it may outlive this object.
  // `origin`: who asked (the `command` event the reload's stops and starts point at).
  void reload(bool dry_run, std::function<void(const ReloadResult&)> done, const core::Origin& origin);

 private:
  Daemon& daemon_;
  // Shared with the tree's completion callback, which may run after we are gone.
  std::shared_ptr<bool> applying_ = std::make_shared<bool>(false);
};

}  // namespace arbor::control
