#include "ctl/render.h"

#include <ctime>

#include <fmt/format.h>

#include "ctl/table.h"

namespace arbor::ctl {

using nlohmann::json;

namespace {

const char* state_colour(const std::string& state) {
  if (state == "running") return "32";     // green
  if (state == "restarting") return "33";  // yellow
  if (state == "starting" || state == "stopping") return "36";  // cyan
  if (state == "stopped") return "31";     // red
  return nullptr;
}

std::string text_or_dash(const json& j) {
  if (j.is_null()) return "-";
  if (j.is_string()) return j.get<std::string>();
  return j.dump();
}

// Seconds since an RFC 3339 UTC time written by arbord ("2026-11-25T15:04:15.680123Z").
std::optional<long long> seconds_since(const json& time) {
  if (!time.is_string()) return std::nullopt;
  std::tm tm{};
  int year = 0, mon = 0;
  if (std::sscanf(time.get<std::string>().c_str(), "%d-%d-%dT%d:%d:%d", &year, &mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec) != 6) {
    return std::nullopt;
  }
  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  const long long diff = static_cast<long long>(std::time(nullptr) - timegm(&tm));
  return diff < 0 ? 0 : diff;
}

std::string exit_text(const json& last_exit) {
  if (!last_exit.is_object()) return "-";
  if (last_exit.contains("signal")) return "signal " + text_or_dash(last_exit["signal"]);
  return "code " + text_or_dash(last_exit.value("code", json()));
}

void status_rows(Table& table, const json& node, int depth) {
  const std::string path = node.value("path", "?");
  const std::string state = node.value("state", "?");
  const bool worker = node.value("type", "") == "worker";
  std::string uptime = "-";
  if (worker && state == "running") {
    if (auto s = seconds_since(node.value("started_at", json()))) uptime = format_duration(*s);
  }
  if (worker && state == "restarting" && node.contains("next_restart_at")) uptime = "(restart soon)";
  table.add({Cell{std::string(static_cast<std::size_t>(depth) * 2, ' ') + path},
             Cell{node.value("type", "?") == "dynamic_supervisor" ? "dynamic" : node.value("type", "?")},
             Cell{state, state_colour(state)}, Cell{worker ? text_or_dash(node.value("pid", json())) : "-"},
             Cell{text_or_dash(node.value("restarts", json()))}, Cell{uptime},
             Cell{worker ? exit_text(node.value("last_exit", json())) : "-"}});
  // By reference: value() would copy each subtree once per level (quadratic in depth).
  if (auto it = node.find("children"); it != node.end() && it->is_array()) {
    for (const json& child : *it) status_rows(table, child, depth + 1);
  }
}

std::string event_details(const json& e) {
  std::string out;
  for (const auto& [key, value] : e.items()) {
    if (key == "seq" || key == "time" || key == "event" || key == "path") continue;
    const std::string text = key == "exit" ? exit_text(value) : text_or_dash(value);
    out += fmt::format(" {}={}", key, text);
  }
  return out;
}

}  // namespace

std::string format_duration(long long s) {
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  if (s < 86400) return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
  return fmt::format("{}d{}h", s / 86400, (s % 86400) / 3600);
}

std::string render_result(const Invocation& inv, const json& result, bool colour) {
  const std::string& cmd = inv.cmd;
  if (cmd == "status") {
    Table table({"PATH", "TYPE", "STATE", "PID", "RESTARTS", "UPTIME", "LAST EXIT"}, colour);
    status_rows(table, result, 0);
    return table.render();
  }
  if (cmd == "count") {
    return fmt::format("specs        {}\nactive       {}\nsupervisors  {}\nworkers      {}\n",
                       text_or_dash(result.value("specs", json())), text_or_dash(result.value("active", json())),
                       text_or_dash(result.value("supervisors", json())),
                       text_or_dash(result.value("workers", json())));
  }
  if (cmd == "spec") return result.dump(2) + "\n";
  if (cmd == "add") return text_or_dash(result.value("path", json())) + "\n";
  if (cmd == "logs") {
    std::string out;
    for (const json& line : result.value("lines", json::array())) out += text_or_dash(line) + "\n";
    return out;
  }
  if (cmd == "reload") {
    Table table({"PATH", "ACTION", "REASON"}, colour);
    for (const json& e : result.value("plan", json::array())) {
      const std::string action = e.value("action", "?");
      const char* c = action == "unchanged" ? nullptr : action == "remove" ? "31" : action == "add" ? "32" : "33";
      table.add({Cell{e.value("path", "?")}, Cell{action, c}, Cell{e.value("reason", "")}});
    }
    return table.render();
  }
  if (cmd == "version") {
    return fmt::format("arborctl {}\narbord   {}\nprotocol {}\n", ARBOR_VERSION,
                       text_or_dash(result.value("arbord", json())), text_or_dash(result.value("protocol", json())));
  }
  // start, stop, restart, remove, signal, wait, watch, shutdown: silence is success.
  return "";
}

std::string render_stream_line(const Invocation& inv, const json& line) {
  if (inv.cmd == "logs") return text_or_dash(line.value("line", json())) + "\n";
  return fmt::format("{} {:>5} {:<12} {}{}\n", text_or_dash(line.value("time", json())),
                     text_or_dash(line.value("seq", json())), text_or_dash(line.value("event", json())),
                     text_or_dash(line.value("path", json())), event_details(line));
}

}  // namespace arbor::ctl
