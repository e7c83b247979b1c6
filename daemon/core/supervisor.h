// Supervisor: a supervisor node inside arbord (OTP `supervisor` / `DynamicSupervisor`).
//
// State model (docs/SEMANTICS.md). Every node, worker or supervisor, shows one ChildState
// (a worker derives it from its own finer state table, worker.h):
//
//   stopped --start--> starting --all started / exec+ready--> running
//   running --died--> stopped, then the parent decides: restart (now, or `restarting`
//             until a backoff timer), leave it stopped, or remove it (temporary/dynamic)
//   running|starting --stop--> stopping --process group gone / children stopped--> stopped
//   starting --start failed--> stopped: at boot the parent aborts its own start; in an
//             automatic restart the child waits in `restarting` for its retry (a message
//             to the supervisor itself, as OTP's try_again_restart).
//
// A supervisor handles one thing at a time, as an OTP supervisor process does: while a
// Job is in progress, exits of other children and operator commands wait in its mailbox,
// in arrival order, and are handled when the job is done. A Job (job.h) is an ordered
// list of stops, then starts, plus what it is for: StartAll, StopAll, Restart, Command
// or Reload. Which children a restart takes is restart_range() (restart_range.h). An exit
// of a child the job is about to stop is absorbed by the job (OTP flushes such an EXIT
// when it terminates the child). A stop of the supervisor itself (by its parent, or
// because it gave up or auto-shut down) preempts: the job is abandoned, waiting commands
// are answered `busy`, and all children are stopped in reverse order (all at once for a
// dynamic supervisor).
//
// A command is answered when its job ends: add, start and restart once the child is
// started (exec done, and ready if configured) or with start_failed, as OTP's
// start_child; a child that starts and exits a moment later was started (OTP: {ok, Pid}).
//
// Restart intensity is checked when a restart happens: at once without backoff, and
// when the backoff timer fires with it; the restart that goes over the limit makes the
// supervisor emit `gave_up`, stop everything and exit with reason `shutdown`.
#pragma once

#include <deque>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "daemon/core/job.h"
#include "daemon/core/node.h"
#include "daemon/core/restart_intensity.h"

namespace arbor::core {

class Supervisor final : public Node, public ChildObserver {
 public:
  Supervisor(Context& ctx, ChildObserver& observer, Supervisor* parent, SpecPtr spec, std::string path);
  ~Supervisor() override;

  void start() override;
  void stop() override;
  bool is_worker() const override { return false; }
  ChildState state() const override { return state_; }
  void mark_stopped() override;
  void mark_restarting(Millis at) override;

  void child_started(NodeId child) override;
  void child_start_failed(NodeId child, const Failure& failure) override;
  void child_stopped(NodeId child) override;
  void child_exited(NodeId child, ExitReason reason) override;

  bool is_dynamic() const { return spec_->type == config::ChildType::dynamic_supervisor; }
  const std::vector<std::unique_ptr<Node>>& children() const { return children_; }
  Node* find_child(const std::string& id) const;
  // True when the supervisor stopped because it gave up (not by a stop or auto_shutdown).
  bool gave_up() const { return ending_ == Ending::gave_up; }
  // After an auto_shutdown: how the significant child whose end triggered it ended (a
  // worker's last exit; a supervisor's own trigger), for `auto_shutdown_exit_code: "child"`.
  const std::optional<ExitStatus>& auto_shutdown_exit() const { return auto_shutdown_exit_; }
  // The current spec with the current children (get_childspec of a supervisor).
  config::ChildSpec current_spec() const;

  // Operator commands (docs/ARBORCTL.md), answered through `reply` once done. They wait in the
  // mailbox while the supervisor is busy, as calls to an OTP supervisor do.
  void op_stop(NodeId child, const Reply& reply);
  void op_start(NodeId child, const Reply& reply);
  void op_restart(NodeId child, const Reply& reply);
  void op_remove(NodeId child, const Reply& reply);
  void op_add(config::ChildSpec spec, const Reply& reply);
  void op_add_dynamic(std::vector<std::string> args, const Reply& reply);
  // reload: take `spec` (same id and type) and apply the difference to the children;
  // `done` runs once this supervisor and every supervisor below it have finished.
  void op_reload(const SpecPtr& spec, std::function<void()> done);

 private:
  friend struct SnapshotAccess;  // snapshot.cpp
  enum class Ending { none, gave_up, auto_shutdown };
  // What waits in the mailbox: a child's death, a retry of a failed restart
  // (try_again_restart), the end of a backoff delay, or an operator command.
  struct Message {
    enum class Kind { died, try_again, due, command };
    Kind kind = Kind::died;
    NodeId child = 0;
    ExitReason reason = ExitReason::normal;
    std::function<void()> run;  // command
    Reply reply;                // command
    std::uint64_t cause = 0;    // the current cause when it was posted, restored when handled
  };

  // Mailbox and job engine.
  void submit(std::function<void()> run, Reply reply);
  void pump();
  void schedule_pump();
  void begin(Job job);
  void advance();
  bool between_stops_and_starts(Job& job);
  void park_group(const std::deque<NodeId>& group, Millis delay);
  void finish_job();
  void abandon_job();  // answers whoever waits on the job; the caller drops it
  void handle_start_failure(Node& child, const Failure& failure);

  // OTP's restart decisions.
  void handle_death(Node& child, ExitReason reason);
  void restart(Node& child);
  void restart_now(NodeId subject);
  std::vector<Node*> restart_group(const Node& child);
  void arm_restart(Node& child, Millis delay);
  void begin_give_up();
  void begin_stop_all();
  void check_auto_shutdown(std::optional<ExitStatus> trigger);

  // Children.
  void build_children(bool keep_stops = false);
  Node& add_child(SpecPtr spec, bool runtime);
  void remove_child(NodeId child);
  void apply_settings(SpecPtr spec);
  bool removed_when_ended(const Node& child) const;

  ChildState state_ = ChildState::stopped;
  std::vector<std::unique_ptr<Node>> children_;
  // Keyed by views of each child's id within its path(), which lives as long as the node.
  std::unordered_map<std::string_view, Node*> by_id_;
  RestartIntensity intensity_;
  std::deque<Message> mailbox_;
  std::optional<Job> job_;
  bool pump_scheduled_ = false;
  bool stop_requested_ = false;  // stopping because the parent asked (vs gave up / auto_shutdown)
  Ending ending_ = Ending::none;
  std::optional<ExitStatus> auto_shutdown_exit_;  // Ending::auto_shutdown: the trigger's exit
  std::uint64_t next_dynamic_id_ = 1;
  bool started_before_ = false;  // boot keeps restored operator stops at the first start only
};

}  // namespace arbor::core
