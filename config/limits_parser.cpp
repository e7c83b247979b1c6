// "limits" of a worker or a supervisor and the top-level "cgroups" (SPEC §7). Sizes are
// integers in bytes (no "512M": a config is read by programs too); cpu_max_percent is
// bounded by this machine's cores, as cpu.max cannot grant more than they have.
#include <fmt/format.h>
#include <unistd.h>

#include <limits>

#include "config/internal.h"

namespace arbor::config::detail {
namespace {

std::int64_t online_cores() {
  const long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? n : 1;
}

}  // namespace

void parse_limits(const Json& v, const std::string& ptr, Limits& limits, Ctx& ctx) {
  if (!expect_object(v, ptr, ctx)) return;
  constexpr std::int64_t kMaxSize = std::numeric_limits<std::int64_t>::max();
  for_each_member(v, ptr, ctx, [&](const std::string& key, const Json& value, const std::string& key_ptr) {
    if (key == "memory_max") {
      limits.memory_max = read_int(value, key_ptr, {1, kMaxSize, false}, ctx, "", "bytes (an integer)");
    } else if (key == "memory_high") {
      limits.memory_high = read_int(value, key_ptr, {1, kMaxSize, false}, ctx, "", "bytes (an integer)");
    } else if (key == "pids_max") {
      limits.pids_max = read_int(value, key_ptr, {1, 4194304, true}, ctx);  // PID_MAX_LIMIT
    } else if (key == "cpu_weight") {
      limits.cpu_weight = read_int(value, key_ptr, {1, 10000, true}, ctx);
    } else if (key == "cpu_max_percent") {
      limits.cpu_max_percent = read_int(value, key_ptr, {1, 100 * online_cores(), true}, ctx, "",
                                        "percent of one core (an integer)");
    } else {
      ctx.error(key_ptr,
                "unknown key (expected memory_max, memory_high, pids_max, cpu_weight or "
                "cpu_max_percent)");
    }
  });
}

std::optional<CgroupsMode> read_cgroups_mode(const Json& v, const std::string& ptr, Ctx& ctx) {
  if (v == "auto") return CgroupsMode::automatic;
  if (v == "required") return CgroupsMode::required;
  if (v == "off") return CgroupsMode::off;
  ctx.error(ptr, fmt::format("expected \"auto\", \"required\" or \"off\", found {}", describe(v)));
  return std::nullopt;
}

}  // namespace arbor::config::detail
