// Node: one child of a supervisor, worker or supervisor, as its parent sees it.
//
// The parent drives a node with start() and stop(); the node answers later, always
// through the queue (never from inside start/stop), by calling its observer:
//   start()  -> started | start_failed
//   stop()   -> stopped (also when it was already stopped)
//   on its own, while running -> exited(reason)
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "config/tree_spec.h"
#include "daemon/core/context.h"

namespace arbor::core {

// Why a start failed: the deepest child that failed, and the error text.
struct Failure {
  std::string path;
  std::string error;
};

class ChildObserver {
 public:
  virtual ~ChildObserver() = default;
  virtual void child_started(NodeId child) = 0;
  virtual void child_start_failed(NodeId child, const Failure& failure) = 0;
  virtual void child_stopped(NodeId child) = 0;
  virtual void child_exited(NodeId child, ExitReason reason) = 0;
};

class Supervisor;

// Specs are shared, never copied per node: a child's spec points into its supervisor's
// (the aliasing constructor of shared_ptr), so 10,000 configured children cost one copy
// of their specs, not one in the supervisor and one in each child.
using SpecPtr = std::shared_ptr<const config::ChildSpec>;

// The child at `index` of `parent`'s configured children, sharing `parent`'s ownership.
inline SpecPtr child_spec(const SpecPtr& parent, std::size_t index) {
  return SpecPtr(parent, &parent->supervisor->children[index]);
}
inline SpecPtr child_spec(const SpecPtr& parent, const config::ChildSpec& child) {
  return SpecPtr(parent, &child);
}

class Node {
 public:
  Node(Context& ctx, ChildObserver& observer, Supervisor* parent, SpecPtr spec, std::string path);
  virtual ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  virtual void start() = 0;
  virtual void stop() = 0;
  virtual bool is_worker() const = 0;

  NodeId id() const { return id_; }
  const std::string& path() const { return path_; }
  // The child's id as the tail of its path ("web/api" -> "api"), stable for the node's life:
  // the key of its supervisor's by-id map.
  std::string_view id_key() const {
    const std::string_view path = path_;
    const auto slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
  }
  const config::ChildSpec& spec() const { return *spec_; }
  void set_spec(SpecPtr spec) { spec_ = std::move(spec); }
  Supervisor* parent() const { return parent_; }
  // docs/ARBORCTL.md's state: a worker derives it from its own table's state (worker.h).
  virtual ChildState state() const = 0;

  // A stopped node needs nothing more (used for restarting children the operator stops).
  virtual void mark_stopped() = 0;
  // Shown as `restarting` until the parent's delayed restart (or retry) comes.
  virtual void mark_restarting(Millis at) = 0;
  Millis next_restart_at() const { return next_restart_at_; }

  int restarts = 0;               // automatic restarts of this child since arbord started
  TimerToken restart_timer = 0;   // backoff: the pending delayed restart
  bool added_at_runtime = false;  // `add --spec`: dropped when the parent starts again
  // Stopped by `arborctl stop` and not started since (status shows it; the state file keeps
  // it across restarts of arbord). Read freely; change it with set_operator_stopped().
  bool operator_stopped = false;
  void set_operator_stopped(bool on) {
    if (operator_stopped == on) return;
    operator_stopped = on;
    ctx_.stops_changed();
  }

  // Totals since arbord started, for `metrics` (SPEC §11); never reset, kept across a
  // reload that keeps the node. O(1) to count: each is bumped where its event happens.
  struct Totals {
    std::uint64_t oom_kills = 0;          // workers: exits by the OOM killer
    std::uint64_t health_failures = 0;    // workers: failed health checks that counted
    std::uint64_t gave_up = 0;            // supervisors: restart intensity reached
    std::uint64_t log_dropped_bytes = 0;  // workers: captured output dropped (log_dropped)
  };
  Totals totals;

 protected:
  friend struct SnapshotAccess;  // snapshot.cpp
  // Queues a call to the observer, so the parent never runs inside our handler.
  void notify(std::function<void(ChildObserver&, NodeId)> fn);

  Context& ctx_;
  ChildObserver& observer_;
  Supervisor* parent_;
  SpecPtr spec_;
  std::string path_;
  NodeId id_;
  Millis next_restart_at_ = 0;
};

// "web/api" for id "api" under "web"; the root is "/".
std::string child_path(const std::string& parent_path, const std::string& id);

}  // namespace arbor::core
