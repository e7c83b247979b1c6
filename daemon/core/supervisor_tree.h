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

  // Operator stops kept by an earlier arbord (the state file), before boot(): each path's
  // node comes up stopped, as if `arborctl stop` had been run on it. Returns the paths that
  // name no child of the configuration (the root included); they are dropped.
  std::vector<std::string> restore_operator_stops(const std::vector<std::string>& paths);
  // The children the operator stopped and nothing started since, in tree order: those of
  // the configuration only (children added at run time do not outlive arbord anyway). The
  // host gets this set through Host::save_operator_stops whenever it changes, before the
  // reply of the command that changed it.
  std::vector<std::string> operator_stopped_paths() const;
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
  // The host dropped `bytes` of the worker's captured output: counted on the node (when it
  // is still in the tree) and emitted as `log_dropped`.
  void on_log_dropped(const std::string& path, std::uint64_t bytes);
  void on_timer(TimerToken token, Millis now);

  // Operator commands (docs/ARBORCTL.md); `reply` is called exactly once, maybe later. With
  // an `origin`, the command is first a `command` event of its own (a root cause) that
  // what it does points at.
  void stop(const std::string& path, const Reply& reply, Millis now, const Origin& origin = {});
  void start(const std::string& path, const Reply& reply, Millis now, const Origin& origin = {});
  void restart(const std::string& path, const Reply& reply, Millis now, const Origin& origin = {});
  void remove(const std::string& path, const Reply& reply, Millis now, const Origin& origin = {});
  void add(const std::string& supervisor_path, config::ChildSpec spec, const Reply& reply, Millis now,
           const Origin& origin = {});
  void add_dynamic(const std::string& supervisor_path, std::vector<std::string> args, const Reply& reply,
                   Millis now, const Origin& origin = {});
  OpResult signal(const std::string& path, int signo, const Origin& origin = {});

  // reload (docs/ARBORCTL.md): the plan for moving to `new_root` (one entry per path of the old
  // and new trees, in tree order), and applying it. apply_reload answers `done` once
  // every stop/start of the plan has finished, and emits `reloaded` (pointing at the
  // `command` event of `origin`, when given).
  ReloadPlan plan_reload(const config::ChildSpec& new_root) const;
  void apply_reload(const config::ChildSpec& new_root, std::function<void(const ReloadPlan&)> done,
                    Millis now, const Origin& origin = {});

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

  // Every input starts as a root cause at `now`.
  void enter(Millis now) {
    ctx_.set_now(now);
    ctx_.set_cause(0);
  }
  // The operator's `command` event, if `origin` names one: the cause of what follows.
  void command_event(const Origin& origin, const std::string& path);
  // Routes an operation on `path` to its parent supervisor, or answers an error.
  template <typename Op>
  void on_child(const std::string& path, const Reply& reply, Millis now, const Origin& origin, Op op);
  // Runs the queue, then hands a changed stop set to the host.
  void drain();
  void save_stops();
  // `reply`, preceded by save_stops(): a command is answered only once its stop is kept.
  Reply saving(Reply reply);

  Context ctx_;
  std::unique_ptr<Supervisor> root_;
  std::vector<std::string> saved_stops_;  // what the host was last given
};

}  // namespace arbor::core
