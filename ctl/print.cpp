// arborctl's human output: each command's typed Result as text, and stream lines
// (events, log lines). --json bypasses all of this.
#include <time.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <string_view>
#include <system_error>

#include <fmt/format.h>

#include "arbor_version.h"
#include "ctl/table.h"
#include "ctl/verbs.h"

namespace arbor::ctl {

namespace {

// How many of a worker's last output lines `status PATH` shows.
constexpr std::int64_t kStatusLogLines = 10;

constexpr const char* kRed = "31";

// Red is for failures only: a stopped child (an operator's stop, or one that ended as
// its restart type allows) is not one; a failed exit is, in LAST EXIT.
const char* state_colour(const std::string& state) {
  if (state == "running") return "32";                          // green
  if (state == "restarting") return "33";                       // yellow
  if (state == "starting" || state == "stopping") return "36";  // cyan
  return nullptr;
}

// A failure: a non-zero code, or a signal while the worker is not stopped (a stopped
// worker's signal is, as a rule, the stop signal it was sent).
const char* exit_colour(const cmd::NodeStatus& node) {
  if (!node.last_exit) return nullptr;
  if (node.last_exit->signal.empty()) return node.last_exit->code != 0 ? kRed : nullptr;
  return node.state != "stopped" ? kRed : nullptr;
}

// One field as sscanf's %d and %lf read it, with std::from_chars: blanks skipped, an
// optional sign, the number; it is removed from `text`.
template <typename T>
bool scan_field(std::string_view& text, T& out) {
  std::size_t i = 0;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])) != 0) ++i;
  if (i < text.size() && text[i] == '+') {
    if (++i < text.size() && text[i] == '-') return false;  // one sign only
  }
  const auto [next, ec] = std::from_chars(text.data() + i, text.data() + text.size(), out);
  if (ec != std::errc{}) return false;
  text.remove_prefix(static_cast<std::size_t>(next - text.data()));
  return true;
}

bool scan_char(std::string_view& text, char c) {
  if (!text.starts_with(c)) return false;
  text.remove_prefix(1);
  return true;
}

// An RFC 3339 UTC time written by arbord ("2026-11-25T15:04:15.680123Z") as seconds
// since the epoch, with its fraction (read as "%d-%d-%dT%d:%d:%lf": the zone is ignored).
std::optional<double> epoch_seconds(const std::optional<std::string>& time) {
  if (!time) return std::nullopt;
  std::tm tm{};
  int year = 0, mon = 0;
  double sec = 0;
  std::string_view text(*time);
  if (!(scan_field(text, year) && scan_char(text, '-') && scan_field(text, mon) && scan_char(text, '-') &&
        scan_field(text, tm.tm_mday) && scan_char(text, 'T') && scan_field(text, tm.tm_hour) &&
        scan_char(text, ':') && scan_field(text, tm.tm_min) && scan_char(text, ':') &&
        scan_field(text, sec))) {
    return std::nullopt;
  }
  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  return static_cast<double>(timegm(&tm)) + sec;
}

double now_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

std::optional<long long> seconds_since(const std::optional<std::string>& time) {
  const auto t = epoch_seconds(time);
  if (!t) return std::nullopt;
  const double diff = now_seconds() - *t;
  return diff < 0 ? 0 : static_cast<long long>(diff);
}

// Whole seconds until `time`, rounded up (a restart 0.2 s away is "in 1s").
std::optional<long long> seconds_until(const std::optional<std::string>& time) {
  const auto t = epoch_seconds(time);
  if (!t) return std::nullopt;
  const double diff = *t - now_seconds();
  return diff <= 0 ? 0 : static_cast<long long>(std::ceil(diff));
}

std::string exit_text(const std::optional<protocol::Exit>& last_exit) {
  if (!last_exit) return "-";
  const std::string oom = last_exit->oom ? " (OOM)" : "";
  if (!last_exit->signal.empty()) return "signal " + last_exit->signal + oom;
  return "code " + std::to_string(last_exit->code) + oom;
}

// "healthy", "healthy (2 failed)", "unhealthy"; "-" without a health check.
std::string health_text(const cmd::NodeStatus& node) {
  if (!node.is_worker() || !node.health) return "-";
  if (node.health_failures == 0) return *node.health;
  return fmt::format("{} ({} failed)", *node.health, node.health_failures);
}

const char* health_colour(const cmd::NodeStatus& node) {
  if (!node.health) return nullptr;
  if (*node.health == "unhealthy") return kRed;
  return node.health_failures > 0 ? "33" : nullptr;
}

// With cgroups: MEMORY and CPU columns (a supervisor's are its subtree's), as
// `systemctl status` shows a unit's. Absent with cgroups off, so that table is unchanged.
bool has_usage(const cmd::NodeStatus& node) {
  if (node.memory_bytes || node.cpu_usec) return true;
  return std::any_of(node.children.begin(), node.children.end(), has_usage);
}

std::string format_bytes(const std::optional<std::uint64_t>& bytes) {
  if (!bytes) return "-";
  const double b = static_cast<double>(*bytes);
  if (*bytes < 1024) return fmt::format("{}B", *bytes);
  if (*bytes < (1u << 20)) return fmt::format("{:.1f}K", b / 1024);
  if (*bytes < (1u << 30)) return fmt::format("{:.1f}M", b / (1 << 20));
  return fmt::format("{:.1f}G", b / (1 << 30));
}

std::string format_cpu(const std::optional<std::uint64_t>& usec) {
  if (!usec) return "-";
  if (*usec < 60'000'000) return fmt::format("{:.3f}s", static_cast<double>(*usec) / 1e6);
  return format_duration(static_cast<long long>(*usec / 1'000'000));
}

void status_rows(Table& table, const cmd::NodeStatus& node, int depth, bool usage) {
  const bool worker = node.is_worker();
  std::string uptime = "-";
  if (worker && node.state == "running") {
    if (auto s = seconds_since(node.started_at)) uptime = format_duration(*s);
  }
  if (worker && node.state == "restarting") {
    if (auto s = seconds_until(node.next_restart_at)) uptime = "restart in " + format_duration(*s);
  }
  std::vector<Cell> row{
      Cell{std::string(static_cast<std::size_t>(depth) * 2, ' ') + node.path},
      Cell{node.type == "dynamic_supervisor" ? "dynamic" : node.type},
      Cell{node.operator_stopped && node.state == "stopped" ? "stopped (operator)" : node.state,
           state_colour(node.state)},
      Cell{health_text(node), health_colour(node)},
      Cell{worker && node.pid ? std::to_string(*node.pid) : "-"},
      Cell{std::to_string(node.restarts)},
      Cell{uptime},
      Cell{worker ? exit_text(node.last_exit) : "-", worker ? exit_colour(node) : nullptr}};
  if (usage) {
    row.push_back(Cell{format_bytes(node.memory_bytes)});
    row.push_back(Cell{format_cpu(node.cpu_usec)});
  }
  table.add(std::move(row));
  for (const cmd::NodeStatus& child : node.children) status_rows(table, child, depth + 1, usage);
}

}  // namespace

std::string format_duration(long long s) {
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  if (s < 86400) return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
  return fmt::format("{}d{}h", s / 86400, (s % 86400) / 3600);
}

std::string print_status(const cmd::Status::Result& node, const Output& out) {
  std::vector<std::string> headers{"PATH", "TYPE",     "STATE",  "HEALTH",
                                   "PID",  "RESTARTS", "UPTIME", "LAST EXIT"};
  const bool usage = has_usage(node);
  if (usage) headers.insert(headers.end(), {"MEMORY", "CPU"});
  Table table(std::move(headers), out.colour);
  status_rows(table, node, 0, usage);
  std::string text = table.render();
  if (!node.is_worker()) return text;
  // One worker: what it said last, when its output is captured (a refusal means it is not).
  if (auto logs = out.call<cmd::Logs>(cmd::Logs::Request{node.path, kStatusLogLines, false})) {
    if (!logs->lines.empty()) {
      text += fmt::format("\nlast {} lines of {}:\n", logs->lines.size(), logs->file);
      for (const std::string& line : logs->lines) text += "  " + line + "\n";
    }
  }
  return text;
}

std::string print_count(const cmd::Count::Result& c, const Output&) {
  return fmt::format("specs        {}\nactive       {}\nsupervisors  {}\nworkers      {}\n", c.specs,
                     c.active, c.supervisors, c.workers);
}

std::string print_spec(const cmd::Spec::Result& spec, const Output&) { return spec.spec.dump(2) + "\n"; }

std::string print_path(const protocol::PathResult& added, const Output& out) {
  print_warning(added, out);
  return added.path + "\n";
}

std::string print_warning(const protocol::PathResult& result, const Output&) {
  // On stderr, so that the command's output stays what scripts expect; the exit status is 0.
  if (result.warning) std::fprintf(stderr, "arborctl: warning: %s\n", result.warning->c_str());
  return "";
}

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
  return fmt::format("arborctl {}\narbord   {}\nprotocol {}\n", ARBOR_VERSION,
                     v.arbord.empty() ? "-" : v.arbord, v.protocol);
}

std::string print_line(const cmd::Logs::Line& line) { return line.line + "\n"; }

// "TIME SEQ EVENT PATH key=value...", the fields in the order of the event's JSON.
std::string print_line(const cmd::Event& e) {
  std::string details;
  const nlohmann::json fields = e.to_json();
  for (const auto& [key, value] : fields.items()) {
    if (key == "seq" || key == "time" || key == "event" || key == "path") continue;
    if (key == "cause" && value.is_null()) continue;  // a root cause: nothing to say
    std::string text;
    if (key == "exit") {
      text = exit_text(e.exit);
    } else {
      text = value.is_string() ? value.get<std::string>() : value.is_null() ? "-" : value.dump();
    }
    details += fmt::format(" {}={}", key, text);
  }
  return fmt::format("{} {:>5} {:<12} {}{}\n", e.time.empty() ? "-" : e.time, e.seq,
                     e.event.empty() ? "-" : e.event, e.path.empty() ? "-" : e.path, details);
}

// `check`: "ok: N workers running", or one line per worker that is not as it should be.
std::string print_check(const cmd::Check::Result& check, const Output& out) {
  if (check.ok) return fmt::format("ok: {} worker{} running\n", check.checked, check.checked == 1 ? "" : "s");
  Table table({"PATH", "STATE", "WHY"}, out.colour);
  for (const auto& p : check.problems) {
    table.add({{p.path}, {p.state, kRed}, {p.reason}});
  }
  const std::size_t n = check.problems.size();
  return table.render() +
         fmt::format("not ok: {} problem{} ({} workers should run)\n", n, n == 1 ? "" : "s", check.checked);
}

// `metrics`: the exposition text as arbord rendered it, for promtool or a textfile collector.
std::string print_metrics(const cmd::Metrics::Result& metrics, const Output&) { return metrics.text; }

// `reexec`: the new program's version, or why it started the tree again.
std::string print_reexec(const cmd::Reexec::Result& r, const Output&) {
  if (r.adopted) return fmt::format("arbord {} took over the tree\n", r.version);
  return fmt::format("arbord {}: {}\n", r.version, r.fallback);
}

}  // namespace arbor::ctl
