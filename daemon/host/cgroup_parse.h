// Reading what the kernel writes about cgroup v2 (docs/DESIGN.md, "Containment"): pure
// functions over the text of /proc/self/mountinfo, /proc/self/cgroup and a cgroup's
// interface files, so each is unit-tested on files in the kernel's own shape.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace arbor::host {

// The mount point of the cgroup2 file system in /proc/self/mountinfo text (field 5 of the
// first line whose file system type, after " - ", is "cgroup2"; octal escapes such as
// "\040" decoded). nullopt: no v2 mount (a pure v1 host).
std::optional<std::string> cgroup2_mount(std::string_view mountinfo);

// The v2 cgroup of the process in /proc/PID/cgroup text: the path of the "0::PATH" line
// ("/" for the root; " (deleted)" suffix refused). nullopt: no v2 line.
std::optional<std::string> own_cgroup(std::string_view proc_cgroup);

// cgroup.events: "populated 0|1" and "frozen 0|1".
struct CgroupEvents {
  bool populated = false;
  bool frozen = false;
};
std::optional<CgroupEvents> parse_cgroup_events(std::string_view text);

// The value of `key` in a flat keyed file ("KEY VALUE" lines: memory.events' oom_kill,
// cpu.stat's usage_usec). nullopt: the key is missing or its value is no number.
std::optional<std::uint64_t> keyed_value(std::string_view text, std::string_view key);

// A single-value file (memory.current, pids.current): a number; "max" and garbage: nullopt.
std::optional<std::uint64_t> single_value(std::string_view text);

// cgroup.controllers / cgroup.subtree_control: space-separated names.
std::vector<std::string> parse_controllers(std::string_view text);

// cgroup.procs: one pid per line.
std::vector<int> parse_pids(std::string_view text);

}  // namespace arbor::host
