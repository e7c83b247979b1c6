#include "daemon/control/reloader.h"

#include <spdlog/spdlog.h>

#include "config/load.h"
#include "daemon/control/render.h"

namespace arbor::control {

void Reloader::reload(bool dry_run, std::function<void(const ReloadResult&)> done,
                      const core::Origin& origin) {
  const std::string path = daemon_.config_path();
  config::LoadResult loaded = config::load_file(path);
  if (!loaded.errors.empty()) {
    // One line per error, each naming the file as a compiler would: FILE: POINTER: what.
    std::string message;
    for (const auto& d : loaded.errors) {
      message += (message.empty() ? "" : "\n") + path + ": " +
                 (d.pointer.empty() ? d.message : config::to_string(d));
    }
    done(ReloadResult{false, protocol::ErrorCode::bad_spec, message, {}});
    return;
  }
  const config::TreeSpec& next = *loaded.tree;
  if (dry_run) {
    done(ReloadResult{true, {}, {}, to_wire(daemon_.tree().plan_reload(next.root))});
    return;
  }
  if (*applying_) {
    done(ReloadResult{false, protocol::ErrorCode::busy, "a reload is already being applied", {}});
    return;
  }
  // The socket and log settings belong to the running daemon; say that they are kept.
  const config::TreeSpec& current = daemon_.tree_spec();
  if (next.socket != current.socket || next.log_dir != current.log_dir || !(next.logs == current.logs) ||
      next.auto_shutdown_exit_code != current.auto_shutdown_exit_code || !(next.metrics == current.metrics) ||
      next.state_file != current.state_file) {
    spdlog::warn(
        "reload {}: socket, log_dir, logs, auto_shutdown_exit_code, metrics and state_file take effect only "
        "when "
        "arbord restarts",
        path);
  }
  *applying_ = true;
  daemon_.reload_started();
  Daemon& daemon = daemon_;
  daemon_.tree().apply_reload(
      next.root,
      [&daemon, applying = applying_, done = std::move(done)](const core::ReloadPlan& plan) {
        *applying = false;
        daemon.reload_finished();
        done(ReloadResult{true, {}, {}, to_wire(plan)});
      },
      daemon_.now(), origin);
}

}  // namespace arbor::control
