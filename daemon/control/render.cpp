#include "daemon/control/render.h"

#include "config/load.h"

namespace arbor::control {

using nlohmann::json;

namespace {
// SPEC names the root "/" by both path and id, whatever the core keeps internally.
std::string wire_path(const std::string& path) { return path.empty() ? "/" : path; }
}  // namespace

json status_json(const core::StatusNode& node, const WallTime& wall_time) {
  json j = json::object();
  j["path"] = wire_path(node.path);
  j["id"] = node.path.empty() || node.path == "/" ? "/" : node.id;
  j["type"] = config::to_string(node.type);
  j["state"] = core::to_string(node.state);
  if (node.type != config::ChildType::worker) {
    j["restarts"] = node.restarts;
    json children = json::array();
    for (const auto& child : node.children) children.push_back(status_json(child, wall_time));
    j["children"] = std::move(children);
    return j;
  }
  j["pid"] = node.pid ? json(*node.pid) : json(nullptr);
  j["restarts"] = node.restarts;
  j["started_at"] = node.pid && node.started_at ? json(wall_time(*node.started_at)) : json(nullptr);
  j["last_exit"] = node.last_exit ? exit_json(*node.last_exit) : json(nullptr);
  if (node.state == core::ChildState::restarting && node.next_restart_at) {
    j["next_restart_at"] = wall_time(*node.next_restart_at);
  }
  return j;
}

namespace {

void append_string(std::string& out, const std::string& text) {
  out += json(text).dump(-1, ' ', false, json::error_handler_t::replace);
}

// Enum names (states, types): plain ASCII, nothing to escape.
void append_name(std::string& out, std::string_view name) {
  out += '"';
  out += name;
  out += '"';
}

void append_status(std::string& out, const core::StatusNode& node, const WallTime& wall_time) {
  // Keys in the order nlohmann::json (a std::map) prints them, so the text is the same.
  const bool root = node.path.empty() || node.path == "/";
  if (node.type != config::ChildType::worker) {
    out += "{\"children\":[";
    for (std::size_t i = 0; i < node.children.size(); ++i) {
      if (i > 0) out += ',';
      append_status(out, node.children[i], wall_time);
    }
    out += "],\"id\":";
    append_string(out, root ? "/" : node.id);
    out += ",\"path\":";
    append_string(out, wire_path(node.path));
    out += ",\"restarts\":" + std::to_string(node.restarts);
    out += ",\"state\":";
    append_name(out, core::to_string(node.state));
    out += ",\"type\":";
    append_name(out, config::to_string(node.type));
    out += '}';
    return;
  }
  out += "{\"id\":";
  append_string(out, root ? "/" : node.id);
  out += ",\"last_exit\":";
  out += node.last_exit ? exit_json(*node.last_exit).dump() : "null";
  if (node.state == core::ChildState::restarting && node.next_restart_at) {
    out += ",\"next_restart_at\":";
    append_string(out, wall_time(*node.next_restart_at));
  }
  out += ",\"path\":";
  append_string(out, wire_path(node.path));
  out += ",\"pid\":";
  out += node.pid ? std::to_string(*node.pid) : "null";
  out += ",\"restarts\":" + std::to_string(node.restarts);
  out += ",\"started_at\":";
  if (node.pid && node.started_at) {
    append_string(out, wall_time(*node.started_at));
  } else {
    out += "null";
  }
  out += ",\"state\":";
  append_name(out, core::to_string(node.state));
  out += ",\"type\":";
  append_name(out, config::to_string(node.type));
  out += '}';
}

}  // namespace

std::string status_text(const core::StatusNode& node, const WallTime& wall_time) {
  std::string out;
  append_status(out, node, wall_time);
  return out;
}

json counts_json(const core::Counts& c) {
  return json{{"specs", c.specs}, {"active", c.active}, {"supervisors", c.supervisors}, {"workers", c.workers}};
}

json exit_json(const core::ExitStatus& status) {
  if (status.signaled) return json{{"signal", config::signal_name(status.value)}};
  return json{{"code", status.value}};
}

json event_json(const events::StampedEvent& stamped) {
  const core::Event& e = stamped.event;
  json j{{"seq", stamped.seq}, {"time", stamped.time}, {"event", core::to_string(e.type)}, {"path", wire_path(e.path)}};
  switch (e.type) {
    case core::EventType::started:
      if (e.pid) j["pid"] = *e.pid;
      break;
    case core::EventType::exited:
      if (e.pid) j["pid"] = *e.pid;
      j["exit"] = e.exit ? exit_json(*e.exit) : json(nullptr);
      j["reason"] = core::to_string(e.reason);
      break;
    case core::EventType::start_failed:
      j["error"] = e.error;
      break;
    case core::EventType::restarting:
      j["delay_ms"] = e.delay_ms;
      break;
    case core::EventType::log_dropped:
      j["bytes"] = e.bytes;
      break;
    case core::EventType::reloaded: {
      json counts = json::object();
      for (std::size_t i = 0; i < e.plan_counts.size(); ++i) {
        counts[core::to_string(static_cast<core::ReloadAction>(i))] = e.plan_counts[i];
      }
      j["plan"] = std::move(counts);
      break;
    }
    case core::EventType::gave_up:
    case core::EventType::added:
    case core::EventType::removed:
      break;
  }
  return j;
}

json plan_json(const core::ReloadPlan& plan) {
  json entries = json::array();
  for (const auto& entry : plan.entries) {
    entries.push_back({{"path", wire_path(entry.path)}, {"action", core::to_string(entry.action)}, {"reason", entry.reason}});
  }
  return json{{"plan", std::move(entries)}};
}

}  // namespace arbor::control
