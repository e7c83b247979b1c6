// `status [PATH]` (which_children): the tree below PATH, default the root (docs/PROTOCOL.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/protocol/command.h"

namespace arbor::protocol::commands {

// One node of `status`. Supervisors: {"children","id","operator_stopped","path","restarts",
// "state","type"}; workers: {"id","last_exit","operator_stopped","path","pid","restarts",
// "started_at","state","type"} plus "next_restart_at" while restarting. The root's path
// and id are both "/".
struct NodeStatus {
  std::string path;
  std::string id;
  std::string type;   // worker, supervisor, dynamic_supervisor
  std::string state;  // starting, running, stopping, stopped, restarting
  std::int64_t restarts = 0;
  bool operator_stopped = false;      // stopped by `arborctl stop` and not started since
  std::optional<std::string> cgroup;  // relative to the cgroup2 mount; null with cgroups off
  // From the cgroup (a supervisor's: its whole subtree's); null when not available.
  std::optional<std::uint64_t> memory_bytes;
  std::optional<std::uint64_t> cpu_usec;
  // Workers only:
  std::optional<int> pid;                      // null while not running
  std::optional<std::string> started_at;       // RFC 3339; null while not running
  std::optional<Exit> last_exit;               // null: never exited
  std::optional<std::string> next_restart_at;  // restarting with a backoff
  std::optional<std::string> status_text;      // the worker's last sd_notify STATUS=, if any
  std::optional<std::string> health;           // null (no health check), starting, healthy, unhealthy
  std::int64_t health_failures = 0;            // consecutive failed health checks
  // Supervisors only:
  std::vector<NodeStatus> children;

  bool is_worker() const { return type == "worker"; }

  static NodeStatus from_json(const nlohmann::json& j);
  nlohmann::json to_json() const;
  // Appends to_json().dump() without building the document: a tree of 10,000 children
  // as nlohmann::json is ~10 MiB of small allocations, which glibc then keeps in
  // arbord's heap.
  void append_json(std::string& out) const;
};

struct Status {
  static constexpr CommandInfo info{"status", 1, Access::observe};
  struct Request {
    std::string path = "/";
    static Request from_json(const nlohmann::json& args);
    nlohmann::json to_json() const;
  };
  using Result = NodeStatus;
};

}  // namespace arbor::protocol::commands
