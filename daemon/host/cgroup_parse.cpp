#include "daemon/host/cgroup_parse.h"

#include "daemon/host/scan_integer.h"

namespace arbor::host {
namespace {

// Splits off the first line of `text` (without its '\n').
std::string_view next_line(std::string_view& text) {
  const std::size_t end = text.find('\n');
  const std::string_view line = text.substr(0, end);
  text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
  return line;
}

// The next blank-separated field of `line`.
std::string_view next_field(std::string_view& line) {
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  std::size_t end = 0;
  while (end < line.size() && line[end] != ' ' && line[end] != '\t') ++end;
  const std::string_view field = line.substr(0, end);
  line.remove_prefix(end);
  return field;
}

// mountinfo escapes space, tab, newline and backslash as \ooo (show_mountinfo's mangle).
std::string unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  const auto octal = [](char c) { return c >= '0' && c <= '7'; };
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && octal(s[i + 1]) && octal(s[i + 2]) && octal(s[i + 3])) {
      out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
      continue;
    }
    out += s[i];
  }
  return out;
}

std::optional<std::uint64_t> whole_number(std::string_view s) {
  std::uint64_t value = 0;
  if (s.empty() || s.front() < '0' || s.front() > '9') return std::nullopt;
  if (!scan_integer(s, value)) return std::nullopt;
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n')) s.remove_prefix(1);
  if (!s.empty()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<std::string> cgroup2_mount(std::string_view mountinfo) {
  while (!mountinfo.empty()) {
    std::string_view line = next_line(mountinfo);
    // "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue":
    // the optional fields before " - " vary in number.
    const std::size_t dash = line.find(" - ");
    if (dash == std::string_view::npos) continue;
    std::string_view tail = line.substr(dash + 3);
    if (next_field(tail) != "cgroup2") continue;
    std::string_view head = line.substr(0, dash);
    std::string_view mount_point;
    for (int i = 0; i < 5; ++i) mount_point = next_field(head);
    if (mount_point.empty()) continue;
    return unescape(mount_point);
  }
  return std::nullopt;
}

std::optional<std::string> own_cgroup(std::string_view proc_cgroup) {
  while (!proc_cgroup.empty()) {
    const std::string_view line = next_line(proc_cgroup);
    if (!line.starts_with("0::")) continue;
    std::string_view path = line.substr(3);
    // A cgroup removed under a process that was in it (possible for a zombie's view).
    if (path.empty() || path.front() != '/' || path.ends_with(" (deleted)")) return std::nullopt;
    return std::string(path);
  }
  return std::nullopt;
}

std::optional<CgroupEvents> parse_cgroup_events(std::string_view text) {
  const auto populated = keyed_value(text, "populated");
  if (!populated) return std::nullopt;
  CgroupEvents events;
  events.populated = *populated != 0;
  const auto frozen = keyed_value(text, "frozen");  // since 5.2
  events.frozen = frozen && *frozen != 0;
  return events;
}

std::optional<std::uint64_t> keyed_value(std::string_view text, std::string_view key) {
  while (!text.empty()) {
    std::string_view line = next_line(text);
    if (next_field(line) != key) continue;
    return whole_number(next_field(line));
  }
  return std::nullopt;
}

std::optional<std::uint64_t> single_value(std::string_view text) {
  std::string_view line = next_line(text);
  return whole_number(next_field(line));
}

std::vector<std::string> parse_controllers(std::string_view text) {
  std::vector<std::string> names;
  std::string_view line = next_line(text);
  for (std::string_view name; !(name = next_field(line)).empty();) names.emplace_back(name);
  return names;
}

std::vector<int> parse_pids(std::string_view text) {
  std::vector<int> pids;
  for (long pid = 0; scan_integer(text, pid);) {
    if (pid > 0) pids.push_back(static_cast<int>(pid));
  }
  return pids;
}

}  // namespace arbor::host
