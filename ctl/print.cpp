// arborctl's human output: each command's typed Result as text, and stream lines
// (events, log lines). --json bypasses all of this.
#include <ctime>

#include <fmt/format.h>

#include "ctl/table.h"
#include "ctl/verbs.h"

namespace arbor::ctl {

namespace {

const char* state_colour(const std::string& state) {
  if (state == "running") return "32";     // green
  if (state == "restarting") return "33";  // yellow
  if (state == "starting" || state == "stopping") return "36";  // cyan
  if (state == "stopped") return "31";     // red
  return nullptr;
}

// Seconds since an RFC 3339 UTC time written by arbord ("2026-11-25T15:04:15.680123Z").
std::optional<long long> seconds_since(const std::optional<std::string>& time) {
  if (!time) return std::nullopt;
  std::tm tm{};
  int year = 0, mon = 0;
  if (std::sscanf(time->c_str(), "%d-%d-%dT%d:%d:%d", &year, &mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                  &tm.tm_sec) != 6) {
    return std::nullopt;
  }
  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  const long long diff = static_cast<long long>(std::time(nullptr) - timegm(&tm));
  return diff < 0 ? 0 : diff;
}

std::string exit_text(const std::optional<protocol::Exit>& last_exit) {
  if (!last_exit) return "-";
  if (!last_exit->signal.empty()) return "signal " + last_exit->signal;
  return "code " + std::to_string(last_exit->code);
}

void status_rows(Table& table, const cmd::NodeStatus& node, int depth) {
  const bool worker = node.is_worker();
  std::string uptime = "-";
  if (worker && node.state == "running") {
    if (auto s = seconds_since(node.started_at)) uptime = format_duration(*s);
  }
  if (worker && node.state == "restarting" && node.next_restart_at) uptime = "(restart soon)";
  table.add({Cell{std::string(static_cast<std::size_t>(depth) * 2, ' ') + node.path},
             Cell{node.type == "dynamic_supervisor" ? "dynamic" : node.type},
             Cell{node.state, state_colour(node.state)},
             Cell{worker && node.pid ? std::to_string(*node.pid) : "-"}, Cell{std::to_string(node.restarts)},
             Cell{uptime}, Cell{worker ? exit_text(node.last_exit) : "-"}});
  for (const cmd::NodeStatus& child : node.children) status_rows(table, child, depth + 1);
}

}  // namespace

std::string format_duration(long long s) {
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  if (s < 86400) return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
  return fmt::format("{}d{}h", s / 86400, (s % 86400) / 3600);
}

std::string print_status(const cmd::Status::Result& node, const Output& out) {
  Table table({"PATH", "TYPE", "STATE", "PID", "RESTARTS", "UPTIME", "LAST EXIT"}, out.colour);
  status_rows(table, node, 0);
  return table.render();
}

std::string print_count(const cmd::Count::Result& c, const Output&) {
  return fmt::format("specs        {}\nactive       {}\nsupervisors  {}\nworkers      {}\n", c.specs, c.active,
                     c.supervisors, c.workers);
}

std::string print_spec(const cmd::Spec::Result& spec, const Output&) { return spec.spec.dump(2) + "\n"; }

std::string print_path(const protocol::PathResult& added, const Output&) { return added.path + "\n"; }

std::string print_logs(const cmd::Logs::Result& logs, const Output&) {
  std::string out;
  for (const std::string& line : logs.lines) out += line + "\n";
  return out;
}

std::string print_reload(const cmd::Reload::Result& plan, const Output& out) {
  Table table({"PATH", "ACTION", "REASON"}, out.colour);
  for (const auto& e : plan.plan) {
    const std::string& a = e.action;
    const char* c = a == "unchanged" ? nullptr : a == "remove" ? "31" : a == "add" ? "32" : "33";
    table.add({Cell{e.path}, Cell{a, c}, Cell{e.reason}});
  }
  return table.render();
}

std::string print_version(const cmd::Version::Result& v, const Output&) {
  return fmt::format("arborctl {}\narbord   {}\nprotocol {}\n", ARBOR_VERSION, v.arbord.empty() ? "-" : v.arbord,
                     v.protocol);
}

std::string print_line(const cmd::Logs::Line& line) { return line.line + "\n"; }

// "TIME SEQ EVENT PATH key=value...", the fields in the order of the event's JSON.
std::string print_line(const cmd::Event& e) {
  std::string details;
  const nlohmann::json fields = e.to_json();
  for (const auto& [key, value] : fields.items()) {
    if (key == "seq" || key == "time" || key == "event" || key == "path") continue;
    std::string text;
    if (key == "exit") {
      text = exit_text(e.exit);
    } else {
      text = value.is_string() ? value.get<std::string>() : value.is_null() ? "-" : value.dump();
    }
    details += fmt::format(" {}={}", key, text);
  }
  return fmt::format("{} {:>5} {:<12} {}{}\n", e.time.empty() ? "-" : e.time, e.seq, e.event.empty() ? "-" : e.event,
                     e.path.empty() ? "-" : e.path, details);
}

}  // namespace arbor::ctl
