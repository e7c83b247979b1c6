// Snapshot: the supervision core's runtime state as plain values, for `arborctl reexec`
// (docs/DESIGN.md, "In-place upgrade"). The core exports a tree that is quiet — no job in
// progress, nothing in a mailbox, every worker stopped, running, waiting in backoff or
// waiting for readiness, supervisors at most starting children — and rebuilds the same tree from it without
// spawning anything. Turning a snapshot into bytes is the app's business (daemon/app/reexec_state.*).
//
// Adding a field a node carries across an upgrade: one member here, one line in
// snapshot.cpp's capture_node and restore_node, and one in the app's reexec_codec.cpp.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/tree_spec.h"
#include "daemon/core/types.h"

namespace arbor::core {

// What a worker's process is doing, among the states a snapshot may hold.
enum class SnapshotState { stopped, backoff, awaiting_ready, running };
// A supervisor's job a snapshot may hold: one in its start phase, waiting for one child
// (its own start, or an automatic restart), with the children still to start.
enum class SnapshotJob { none, start_all, restart };

struct NodeSnapshot {
  std::string id;
  bool worker = true;
  // Only for a child added at run time (`add`, a dynamic child): its own spec.
  std::shared_ptr<const config::ChildSpec> runtime_spec;
  int restarts = 0;
  bool operator_stopped = false;
  Millis restart_at = 0;  // a pending delayed restart (backoff), absolute monotonic ms; 0: none
  // Worker.
  SnapshotState state = SnapshotState::stopped;
  SpawnToken token = 0;
  int pid = 0;
  Millis started_at = 0;
  Millis last_uptime = 0;
  int consecutive_restarts = 0;
  std::optional<ExitStatus> last_exit;
  std::optional<std::string> status_text;
  std::optional<HealthState> health;
  int health_failures = 0;
  // Supervisor.
  ChildState supervisor_state = ChildState::stopped;
  std::vector<Millis> intensity;  // restart times in the window, oldest first
  std::uint64_t next_dynamic_id = 1;
  SnapshotJob job = SnapshotJob::none;
  std::string job_starting;               // the child being started (its id); empty: none
  std::vector<std::string> job_to_start;  // the children to start after it, in order
  std::vector<NodeSnapshot> children;     // in the supervisor's order
};

struct TreeSnapshot {
  config::ChildSpec root_spec;  // the configured tree (the last boot or reload), not the run-time one
  NodeSnapshot root;
  std::uint64_t next_id = 1;  // the context's counter: tokens of adopted workers stay unique
};

// A worker process the snapshot holds: the host must hand it over too.
struct SnapshotProcess {
  SpawnToken token = 0;
  std::string path;
  int pid = 0;
};
std::vector<SnapshotProcess> processes(const TreeSnapshot& snapshot);

}  // namespace arbor::core
