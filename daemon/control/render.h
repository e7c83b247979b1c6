// The core's values as the protocol's types (daemon/protocol/commands/): status nodes,
// counts, exits, events and reload plans. The protocol types own the JSON shapes.
#pragma once

#include <functional>
#include <string>

#include "daemon/core/reload_plan.h"
#include "daemon/core/status.h"
#include "daemon/core/types.h"
#include "daemon/events/event_bus.h"
#include "daemon/protocol/commands/all.h"

namespace arbor::control {

// Turns a monotonic instant of the core into RFC 3339 wall time.
using WallTime = std::function<std::string(core::Millis)>;

// Takes the strings of `node` (the core's answer is a copy made for this reply).
protocol::commands::NodeStatus to_wire(core::StatusNode&& node, const WallTime& wall_time);
protocol::commands::Count::Result to_wire(const core::Counts& counts);
protocol::Exit to_wire(const core::ExitStatus& status);
protocol::commands::Event to_wire(const events::StampedEvent& event);
protocol::commands::Reload::Result to_wire(const core::ReloadPlan& plan);

}  // namespace arbor::control
