// arbord's own process as Prometheus' process_* metrics describe it (SPEC §11): resident
// memory, open descriptors, start time, read from /proc. The parsers are pure functions
// over the kernel's text, unit-tested; read_self_stats() does the reading.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "daemon/host/sys.h"

namespace arbor::host {

struct SelfStats {
  std::optional<std::uint64_t> resident_bytes;  // /proc/self/statm resident * page size
  std::optional<std::uint64_t> open_fds;        // entries of /proc/self/fd
  std::optional<double> start_time_seconds;     // /proc/self/stat starttime / CLK_TCK + btime
};

// The second field of /proc/PID/statm (resident pages).
std::optional<std::uint64_t> statm_resident_pages(std::string_view statm);
// Field 22 of /proc/PID/stat (starttime, clock ticks after boot); the command name in
// parentheses may hold spaces and parentheses, so fields are counted after the last ")".
std::optional<std::uint64_t> stat_start_ticks(std::string_view stat);

// Reads the three now. /proc/stat's btime is read once and kept (it does not change).
SelfStats read_self_stats(Sys& sys);

}  // namespace arbor::host
