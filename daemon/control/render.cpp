#include "daemon/control/render.h"

#include "config/load.h"

namespace arbor::control {

namespace cmd = protocol::commands;

namespace {
// The protocol names the root "/" by both path and id, whatever the core keeps internally.
bool is_root(const std::string& path) { return path.empty() || path == "/"; }
std::string wire_path(std::string path) {
  if (is_root(path)) return "/";
  return path;  // moved out, not copied (a conditional expression would copy)
}
}  // namespace

cmd::NodeStatus to_wire(core::StatusNode&& node, const WallTime& wall_time) {
  cmd::NodeStatus n;
  const bool root = is_root(node.path);
  n.id = root ? "/" : std::move(node.id);
  n.path = wire_path(std::move(node.path));
  n.type = config::to_string(node.type);
  n.state = core::to_string(node.state);
  n.restarts = node.restarts;
  n.operator_stopped = node.operator_stopped;
  if (node.type != config::ChildType::worker) {
    n.children.reserve(node.children.size());
    for (core::StatusNode& child : node.children) n.children.push_back(to_wire(std::move(child), wall_time));
    return n;
  }
  n.pid = node.pid;
  if (node.pid && node.started_at) n.started_at = wall_time(*node.started_at);
  if (node.last_exit) n.last_exit = to_wire(*node.last_exit);
  n.status_text = std::move(node.status_text);
  if (node.health) n.health = std::string(core::to_string(*node.health));
  n.health_failures = node.health_failures;
  if (node.state == core::ChildState::restarting && node.next_restart_at) {
    n.next_restart_at = wall_time(*node.next_restart_at);
  }
  return n;
}

cmd::Count::Result to_wire(const core::Counts& c) { return {c.specs, c.active, c.supervisors, c.workers}; }

protocol::Exit to_wire(const core::ExitStatus& status) {
  if (status.signaled) return protocol::Exit{0, config::signal_name(status.value), status.oom};
  return protocol::Exit{status.value, {}, status.oom};
}

cmd::Event to_wire(const events::StampedEvent& stamped) {
  const core::Event& e = stamped.event;
  cmd::Event out{.seq = stamped.seq,
                 .time = stamped.time(),
                 .event = std::string(core::to_string(e.type)),
                 .path = wire_path(e.path)};
  if (e.cause != 0) out.cause = e.cause;
  switch (e.type) {
    case core::EventType::started:
      out.pid = e.pid;
      break;
    case core::EventType::exited:
      out.pid = e.pid;
      if (e.exit) out.exit = to_wire(*e.exit);
      out.reason = core::to_string(e.reason);
      if (e.health) out.health = true;
      if (e.watchdog) out.watchdog = true;
      break;
    case core::EventType::unhealthy:
      out.failures = e.failures;
      out.error = e.error;
      break;
    case core::EventType::start_failed:
      out.error = e.error;
      break;
    case core::EventType::restarting:
      out.delay_ms = e.delay_ms;
      if (e.strategy != nullptr) out.strategy = e.strategy;
      break;
    case core::EventType::command:
      out.command = e.command != nullptr ? e.command : "";
      out.uid = e.uid;
      break;
    case core::EventType::log_dropped:
      out.bytes = e.bytes;
      break;
    case core::EventType::reloaded:
      out.plan.emplace();
      for (std::size_t i = 0; i < e.plan_counts.size(); ++i) {
        (*out.plan)[std::string(core::to_string(static_cast<core::ReloadAction>(i)))] = e.plan_counts[i];
      }
      break;
    case core::EventType::gave_up:
    case core::EventType::added:
    case core::EventType::removed:
      break;
  }
  return out;
}

cmd::Reload::Result to_wire(const core::ReloadPlan& plan) {
  cmd::Reload::Result r;
  r.plan.reserve(plan.entries.size());
  for (const auto& entry : plan.entries) {
    r.plan.push_back({wire_path(entry.path), std::string(core::to_string(entry.action)), entry.reason});
  }
  return r;
}

}  // namespace arbor::control
