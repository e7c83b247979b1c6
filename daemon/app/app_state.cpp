// The App's side of the state file (SPEC §9): operator stops read back before boot, and
// kept whenever the core says they changed (core::Host::save_operator_stops).
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "daemon/app/app.h"
#include "daemon/app/state_file.h"

namespace arbor::app {

void App::restore_operator_stops() {
  const std::vector<std::string> saved = state_->load();
  if (saved.empty()) return;
  const std::vector<std::string> dropped = tree_->restore_operator_stops(saved);
  const std::vector<std::string> kept = tree_->operator_stopped_paths();
  if (!kept.empty()) {
    spdlog::info(
        "state file {}: {} stays stopped (arborctl stop before arbord restarted; arborctl start "
        "starts it)",
        state_->path(), fmt::join(kept, ", "));
  }
  if (!dropped.empty()) {
    spdlog::warn("state file {}: {} no longer in the configuration; dropped from the operator stops",
                 state_->path(), fmt::join(dropped, ", "));
  }
  if (kept != saved) state_->save(kept);
}

void App::save_operator_stops(const std::vector<std::string>& paths) { state_->save(paths); }

std::string App::state_file_error() const { return state_->error(); }

}  // namespace arbor::app
