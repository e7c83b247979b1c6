// The Prometheus text exposition format 0.0.4 of the tree and of arbord (SPEC §11,
// docs/OBSERVABILITY.md "Metrics"): one pure function from a status tree and counters to
// text, so every line is unit-tested without a daemon. Gathering the input (cgroup files,
// /proc/self) is the caller's (commands_metrics.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "daemon/control/daemon.h"
#include "daemon/core/status.h"

namespace arbor::control {

struct MetricsInput {
  const core::StatusNode* root = nullptr;
  // The core's monotonic clock and the wall clock at the same instant, to turn a node's
  // started_at into seconds since the epoch.
  core::Millis monotonic_now = 0;
  double wall_now_seconds = 0;
  // A worker's cgroup accounting, by path; a worker without an entry (cgroups off, or the
  // controller not enabled) has no arbor_memory_bytes / arbor_cpu_seconds_total sample.
  std::unordered_map<std::string, CgroupUsage> usage;
  // arbor_events_total: (event name, count), in the order to print.
  std::vector<std::pair<std::string, std::uint64_t>> events;
  ProcessStats process;
};

// The Content-Type of the text (HTTP).
inline constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

// The whole exposition, ending in "\n". Families without a sample are left out.
std::string render_metrics(const MetricsInput& input);

// A label value as the format quotes it: backslash, double quote and newline escaped.
std::string escape_label_value(std::string_view value);

// The exposition of arbord now: the tree's status, cgroup usage, the EventBus's counts and
// the process, gathered from `daemon` and rendered (commands_metrics.cpp). `metrics` and
// GET /metrics both answer with it.
std::string collect_metrics(Daemon& daemon);

}  // namespace arbor::control
