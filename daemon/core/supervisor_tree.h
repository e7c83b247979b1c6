// SupervisorTree: the pure, deterministic supervision core (OTP's supervisor semantics,
// docs/SEMANTICS.md) behind one façade.
//
// Inputs are host results (spawned, spawn failed, ready, exited), timer firings and
// operator commands, each with the monotonic time `now`. Outputs are calls on the Host:
// spawn, signal, arm/cancel timer, emit event, outcome. Inputs are queued and drained
// before the call returns, so no handler ever runs inside another. The state model is
// described in supervisor.h.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/tree_spec.h"
#include "daemon/core/context.h"
#include "daemon/core/node.h"
#include "daemon/core/reload_plan.h"
#include "daemon/core/snapshot.h"
#include "daemon/core/status.h"

namespace arbor::core {

class Supervisor;

class SupervisorTree final : private ChildObserver {
 public:
  SupervisorTree(Host& host, config::ChildSpec root);
  ~SupervisorTree() override;

  // Starts the tree (ordered start). Host::outcome says booted or boot_failed.
  void boot(Millis now);
  // Stops the tree in reverse order; Host::outcome says stopped once done.
  void shutdown(Millis now);

  void on_spawned(SpawnToken token, int pid, Millis now);
  void on_spawn_failed(SpawnToken token, const std::string& error, Millis now);
  void on_ready(SpawnToken token, Millis now);
  // A probe's answer (Host::probe): passed, or failed with the reason ("GET /healthz: 503").
  void on_probe_result(SpawnToken token, std::uint64_t seq, bool passed, const std::string& error,
                       Millis now);
  // WATCHDOG=1 (trigger false) or WATCHDOG=trigger from the worker's notify socket.
  void on_watchdog(SpawnToken token, bool trigger, Millis now);
  // A STATUS= text from the worker's notify socket: only stored, shown by status.
  void on_status_text(SpawnToken token, std::string text);
  void on_exited(SpawnToken token, ExitStatus status, Millis now);
  void on_timer(TimerToken token, Millis now);

  // Operator commands (docs/ARBORCTL.md); `reply` is called exactly once, maybe later.
  void stop(const std::string& path, const Reply& reply, Millis now);
  void start(const std::string& path, const Reply& reply, Millis now);
  void restart(const std::string& path, const Reply& reply, Millis now);
  void remove(const std::string& path, const Reply& reply, Millis now);
  void add(const std::string& supervisor_path, config::ChildSpec spec, Reply reply, Millis now);
  void add_dynamic(const std::string& supervisor_path, std::vector<std::string> args, Reply reply,
                   Millis now);
  OpResult signal(const std::string& path, int signo);

  // reload (docs/ARBORCTL.md): the plan for moving to `new_root` (one entry per path of the old
  // and new trees, in tree order), and applying it. apply_reload answers `done` once
  // every stop/start of the plan has finished, and emits `reloaded`.
  ReloadPlan plan_reload(const config::ChildSpec& new_root) const;
  void apply_reload(const config::ChildSpec& new_root, std::function<void(const ReloadPlan&)> done,
                    Millis now);

  // reexec (snapshot.h): the whole state, or nullopt and `why` when the tree is not quiet
  // (a job, a start or a stop in progress: try again in a moment).
  std::optional<TreeSnapshot> snapshot(std::string& why) const;
  // On a tree just made from `snapshot.root_spec`, before boot: takes over its state
  // without spawning anything, timers re-armed from their deadlines. False and `why` when
  // the snapshot does not fit the spec (the tree is then unusable).
  bool adopt(const TreeSnapshot& snapshot, Millis now, std::string& why);

  // Queries (which_children, count_children, get_childspec).
  std::optional<StatusNode> status(const std::string& path) const;
  std::optional<Counts> count(const std::string& path, std::string* error = nullptr) const;
  std::optional<config::ChildSpec> spec(const std::string& path) const;

  // The node at `path` ("/" is the root; a leading "/" is accepted), or null.
  Node* find(const std::string& path) const;
  Supervisor& root() { return *root_; }

 private:
  void child_started(NodeId child) override;
  void child_start_failed(NodeId child, const Failure& failure) override;
  void child_stopped(NodeId child) override;
  void child_exited(NodeId child, ExitReason reason) override;

  // Routes an operation on `path` to its parent supervisor, or answers an error.
  template <typename Op>
  void on_child(const std::string& path, const Reply& reply, Millis now, Op op);

  Context ctx_;
  std::unique_ptr<Supervisor> root_;
};

}  // namespace arbor::core
