// Read-only views of the tree for `status` and `count` (which_children, count_children).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/tree_spec.h"
#include "daemon/core/node.h"
#include "daemon/core/types.h"

namespace arbor::core {

struct StatusNode {
  std::string path;
  std::string id;
  config::ChildType type = config::ChildType::worker;
  ChildState state = ChildState::stopped;
  int restarts = 0;
  bool operator_stopped = false;           // stopped by `arborctl stop`, not started since
  std::optional<int> pid;                  // workers that have a process
  std::optional<Millis> started_at;        // monotonic; the shell converts to wall time
  std::optional<ExitStatus> last_exit;     // workers
  std::optional<Millis> next_restart_at;   // state restarting
  std::optional<std::string> status_text;  // workers: the latest sd_notify STATUS=
  std::optional<HealthState> health;       // workers with a health check
  int health_failures = 0;                 // workers: consecutive failed health checks
  Node::Totals totals;                     // since arbord started (metrics)
  std::vector<StatusNode> children;        // supervisors
};

struct Counts {
  std::size_t specs = 0;
  std::size_t active = 0;
  std::size_t supervisors = 0;
  std::size_t workers = 0;
};

StatusNode status_of(const Node& node);

}  // namespace arbor::core
