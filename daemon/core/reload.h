// What a reload changes for one child (docs/ARBORCTL.md): the field that differs decides between
// restart (the process must start again) and update (the new value just applies).
#pragma once

#include <string>

#include "config/tree_spec.h"
#include "daemon/core/reload_plan.h"

namespace arbor::core {

struct ChildDiff {
  ReloadAction action = ReloadAction::unchanged;
  std::string reason;
};

// A worker: fields that shape the process (command, env, cwd, user, group, umask,
// stdout, stderr, ready) need a restart; the others (restart, shutdown, significant,
// stop_signal, success_exit_codes, backoff) only change how it is supervised: update.
ChildDiff diff_worker(const config::ChildSpec& old_spec, const config::ChildSpec& new_spec);
// A supervisor's own settings: update (never a restart of its unchanged children), or
// restart when its type changed.
ChildDiff diff_supervisor(const config::ChildSpec& old_spec, const config::ChildSpec& new_spec);

}  // namespace arbor::core
