// JSON shapes of SPEC §5: status nodes, counts, exits, events and reload plans.
// The daemon builds them here; arborctl --json prints them unchanged.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <string>

#include "daemon/events/event_bus.h"
#include "daemon/core/reload_plan.h"
#include "daemon/core/status.h"
#include "daemon/core/types.h"
#include "daemon/protocol/error_code.h"

namespace arbor::control {

// Turns a monotonic instant of the core into RFC 3339 wall time.
using WallTime = std::function<std::string(core::Millis)>;

// Supervisors: {"path","id","type","state","restarts","children"}; workers:
// {"path","id","type","state","pid","restarts","started_at","last_exit"} plus
// "next_restart_at" while restarting. The root's path and id are both "/".
nlohmann::json status_json(const core::StatusNode& node, const WallTime& wall_time);
// The same, printed as status_json(...).dump() would, without building the document: a
// tree of 10,000 children as nlohmann::json is ~10 MiB of small allocations, which glibc
// then keeps in arbord's heap.
std::string status_text(const core::StatusNode& node, const WallTime& wall_time);

nlohmann::json counts_json(const core::Counts& counts);

// null is for "never exited"; otherwise {"code": N} or {"signal": "KILL"}.
nlohmann::json exit_json(const core::ExitStatus& status);

// {"seq","time","event","path"} plus the fields of its type.
nlohmann::json event_json(const events::StampedEvent& event);

// {"plan": [{"path","action","reason"}]}
nlohmann::json plan_json(const core::ReloadPlan& plan);

}  // namespace arbor::control
