// Worker: a child that is one OS process (group), started and signalled through the Host.
//
// A worker's life is one table, WorkerState × WorkerEvent -> action, decided in one place
// (Worker::decide in worker_table.cpp, as s6-supervise's actions[state][event]); the public
// ChildState of docs/ARBORCTL.md is a function of the WorkerState (public_state()).
//
// States (public state in brackets):
//   stopped        [stopped]    no process, nothing pending
//   backoff        [restarting] no process; the parent restarts it later (timer or retry)
//   spawning       [starting]   the host was asked for a process and has not answered
//   cancelling     [starting]   as spawning, but a stop came: stop the process once it exists
//   awaiting_ready [starting]   exec done, `ready` configured: waiting for it (ready timer armed;
//                               with a probe, tries every ready.interval)
//   failing        [starting]   the ready timeout fired: SIGKILL sent, the exit reports start_failed
//   running        [running]    started (exec done, and ready if configured); health probes and
//                               the watchdog run only here
//   stopping       [stopping]   stop signal sent (kill timer armed with shutdown = ms)
//   killing        [stopping]   SIGKILL sent (brutal_kill, or the kill timer fired)
//   unhealthy      [stopping]   as stopping, for a failed health check or watchdog: the exit
//                               is abnormal (health / watchdog), not a shutdown
//   unhealthy_kill [stopping]   as killing, for the same reason
//
// Events: start, stop (the parent); park, unpark (the parent: wait for a delayed restart,
// or drop the wait); spawned, spawn_failed, ready, exited (the host); ready_timeout,
// kill_timeout (our timers); signal (the operator); probe_due (our timer: the next probe),
// probe_passed, probe_failed (the host's answer, or our probe timeout), watchdog (WATCHDOG=1),
// watchdog_trigger (WATCHDOG=trigger), watchdog_timeout (our timer).
//
// Transitions ("-" = the event means nothing in that state, or cannot come: it is ignored,
// and `signal` answers false). Reports to the parent go through the queue. unhealthy is
// written `sick`, unhealthy_kill `sickk`.
//
//               stopped backoff spawning cancelling awaiting failing running stopping killing sick  sickk
// start         spawn   spawn   -        -          -        -       -       -        -       -     -
// stop          ack     ack     defer    -          term     await   term    -        -       adopt adoptk
// park          park    park    -        -          -        -       -       -        -       -     -
// unpark        unpark  unpark  -        -          -        -       -       -        -       -     -
// spawned       -       -       exec     abort      -        -       -       -        -       -     -
// spawn_failed  -       -       failed   halted     -        -       -       -        -       -     -
// ready         -       -       -        -          up       -       -       -        -       -     -
// ready_timeout -       -       -        -          unready  -       -       -        -       -     -
// exited        -       -       failed*  gone*      failed   failed  died    gone     gone    sickx sickx
// kill_timeout  -       -       -        -          -        -       -       kill     -       killx -
// signal        -       -       -        -          pass     pass    pass    pass     pass    pass  pass
// probe_due     -       -       -        -          tryready -       check   -        -       -     -
// probe_passed  -       -       -        -          up       -       healthy -        -       -     -
// probe_failed  -       -       -        -          retry    -       sick    -        -       -     -
// watchdog      -       -       -        -          -        -       pet     -        -       -     -
// w.._trigger   -       -       -        -          -        -       trigger -        -       -     -
// w.._timeout   -       -       -        -          -        -       bark    -        -       -     -
//   (* cannot come, the host reports `spawned` first; decided anyway so no pair is left open)
//
//   spawn   -> spawning: ask the host for a process (a new spawn token)
//   ack     -> stopped: answer `stopped` at once (cancels a pending delayed restart)
//   defer   -> cancelling: the host has not answered the spawn yet
//   term    -> stopping: stop signal + SIGCONT, kill timer; -> killing under brutal_kill
//   await   -> killing: already SIGKILLed; its exit answers `stopped`, not start_failed
//   park    -> backoff: shown as restarting until the parent's restart
//   unpark  -> stopped: the parent drops the restart (no answer)
//   exec    -> running (`started`), or awaiting_ready with the ready timer armed (and the
//              first probe sent, for a probe)
//   abort   -> as term: the process exists now, stop it
//   failed  -> stopped: `start_failed` (spawn error, exit before ready, or ready timeout)
//   halted  -> stopped: the spawn failed after a stop: event start_failed, answer `stopped`
//   up      -> running: `started`; the health probe and the watchdog start
//   unready -> failing: SIGKILL + SIGCONT, wait for the exit
//   died    -> stopped: `exited` with normal or abnormal (success_exit_codes)
//   gone    -> stopped: `exited` with shutdown, answer `stopped`
//   kill    -> killing: SIGKILL
//   pass    -> (same): send the operator's signal to the group
//   tryready, check -> (same): send a readiness / health probe (its timeout armed)
//   retry   -> (same): the next readiness try, ready.interval after this one began
//   healthy -> (same): health `healthy`, failures back to 0, next probe
//   sick    -> (same), or unhealthy once `failures` consecutive failures count (not in the
//              start period): event `unhealthy`, stop signal + SIGCONT, kill timer
//   pet     -> (same): the watchdog's deadline moves to now + watchdog
//   trigger -> unhealthy (watchdog), at once
//   bark    -> unhealthy (watchdog) if no WATCHDOG=1 came for a whole interval; else
//              (same), the timer re-armed for the rest of the interval
//   adopt / adoptk -> stopping / killing: the parent's stop takes over (answered `stopped`)
//   killx   -> unhealthy_kill: SIGKILL
//   sickx   -> stopped: `exited` abnormal with health or watchdog: the parent's strategy
//
// A new state (round 2: cgroup draining) is an enumerator, a case in to_string(),
// public_state() and has_process(), kWorkerStates + 1, a column of the table in
// worker_table.cpp (there too events are rows, states columns) and of this one.
// A new event is a row in both. The build refuses a table with a cell left out.
#pragma once

#include <cstddef>
#include <string_view>

#include "daemon/core/node.h"

namespace arbor::core {

enum class WorkerState {
  stopped,
  backoff,
  spawning,
  cancelling,
  awaiting_ready,
  failing,
  running,
  stopping,
  killing,
  unhealthy,
  unhealthy_kill
};
enum class WorkerEvent {
  start,
  stop,
  park,
  unpark,
  spawned,
  spawn_failed,
  ready,
  ready_timeout,
  exited,
  kill_timeout,
  signal,
  probe_due,
  probe_passed,
  probe_failed,
  watchdog,
  watchdog_trigger,
  watchdog_timeout
};
// The sizes of the table. A state or event added to an enum without updating these fails
// to build: to_string() names it, and worker_table.cpp asserts that the one past the end
// has no name.
inline constexpr std::size_t kWorkerStates = 11;
inline constexpr std::size_t kWorkerEvents = 17;

// docs/ARBORCTL.md's state for a worker in `s`.
ChildState public_state(WorkerState s);
// True in the states where the worker has a live process (a pid, a group to signal).
bool has_process(WorkerState s);

constexpr std::string_view to_string(WorkerState s) {
  switch (s) {
    case WorkerState::stopped:
      return "stopped";
    case WorkerState::backoff:
      return "backoff";
    case WorkerState::spawning:
      return "spawning";
    case WorkerState::cancelling:
      return "cancelling";
    case WorkerState::awaiting_ready:
      return "awaiting_ready";
    case WorkerState::failing:
      return "failing";
    case WorkerState::running:
      return "running";
    case WorkerState::stopping:
      return "stopping";
    case WorkerState::killing:
      return "killing";
    case WorkerState::unhealthy:
      return "unhealthy";
    case WorkerState::unhealthy_kill:
      return "unhealthy_kill";
  }
  return {};
}

constexpr std::string_view to_string(WorkerEvent e) {
  switch (e) {
    case WorkerEvent::start:
      return "start";
    case WorkerEvent::stop:
      return "stop";
    case WorkerEvent::park:
      return "park";
    case WorkerEvent::unpark:
      return "unpark";
    case WorkerEvent::spawned:
      return "spawned";
    case WorkerEvent::spawn_failed:
      return "spawn_failed";
    case WorkerEvent::ready:
      return "ready";
    case WorkerEvent::ready_timeout:
      return "ready_timeout";
    case WorkerEvent::exited:
      return "exited";
    case WorkerEvent::kill_timeout:
      return "kill_timeout";
    case WorkerEvent::signal:
      return "signal";
    case WorkerEvent::probe_due:
      return "probe_due";
    case WorkerEvent::probe_passed:
      return "probe_passed";
    case WorkerEvent::probe_failed:
      return "probe_failed";
    case WorkerEvent::watchdog:
      return "watchdog";
    case WorkerEvent::watchdog_trigger:
      return "watchdog_trigger";
    case WorkerEvent::watchdog_timeout:
      return "watchdog_timeout";
  }
  return {};
}

class Worker final : public Node {
 public:
  using Node::Node;
  ~Worker() override;

  void start() override { dispatch({.event = WorkerEvent::start}); }
  void stop() override { dispatch({.event = WorkerEvent::stop}); }
  bool is_worker() const override { return true; }
  ChildState state() const override { return public_state(state_); }
  void mark_stopped() override { dispatch({.event = WorkerEvent::unpark}); }
  void mark_restarting(Millis at) override { dispatch({.event = WorkerEvent::park, .restart_at = at}); }

  // Host results for this worker's current spawn token.
  void on_spawned(int pid) { dispatch({.event = WorkerEvent::spawned, .pid = pid}); }
  void on_spawn_failed(const std::string& error) {
    dispatch({.event = WorkerEvent::spawn_failed, .error = error});
  }
  void on_ready() { dispatch({.event = WorkerEvent::ready}); }
  void on_exited(ExitStatus status) {
    if (status.oom) ++totals.oom_kills;
    dispatch({.event = WorkerEvent::exited, .status = status});
  }
  // The latest STATUS= text the process sent (sd_notify); cleared at each spawn.
  void on_status_text(std::string text) { status_text_ = std::move(text); }

  // A probe's answer from the host; answers of an older probe (another seq) are dropped.
  void on_probe_result(std::uint64_t seq, bool passed, const std::string& error);
  // WATCHDOG=1 (trigger false) or WATCHDOG=trigger over the notify socket.
  void on_watchdog(bool trigger) {
    dispatch({.event = trigger ? WorkerEvent::watchdog_trigger : WorkerEvent::watchdog});
  }

  // Sends `signo` to the running process group (arborctl signal). False if there is none.
  bool send_signal(int signo) { return dispatch({.event = WorkerEvent::signal, .signo = signo}); }

  WorkerState worker_state() const { return state_; }
  std::optional<int> pid() const { return has_process(state_) ? std::optional<int>(pid_) : std::nullopt; }
  Millis started_at() const { return started_at_; }
  const std::optional<ExitStatus>& last_exit() const { return last_exit_; }
  std::optional<std::string> status_text() const { return status_text_.to_optional(); }
  // null without a health check; else this process's (starting until its first pass).
  std::optional<HealthState> health() const;
  int health_failures() const { return health_failures_; }

  // Backoff bookkeeping: the delay before the next automatic restart (0 without backoff).
  Millis next_backoff_delay(double random_unit);

  // What the table does for one (state, event) pair.
  enum class Action {
    missing,  // not a real action: a table cell left out (a static_assert refuses it)
    ignore,
    spawn,
    ack,
    defer,
    term,
    await,
    park,
    unpark,
    exec,
    abort,
    failed,
    halted,
    up,
    unready,
    died,
    gone,
    kill,
    pass,
    tryready,
    check,
    retry,
    healthy,
    sick,
    pet,
    trigger,
    bark,
    adopt,
    adoptk,
    killx,
    sickx
  };
  static Action decide(WorkerState s, WorkerEvent e);

 private:
  friend struct SnapshotAccess;  // snapshot.cpp
  struct Input {
    WorkerEvent event;
    int pid = 0;             // spawned
    ExitStatus status{};     // exited
    std::string_view error;  // spawn_failed, probe_failed
    int signo = 0;           // signal
    Millis restart_at = 0;   // park
  };

  // Looks up the action for (state_, in.event) and performs it. False if it was `ignore`.
  bool dispatch(const Input& in);
  void perform(Action action, const Input& in);

  // Why a worker in unhealthy / unhealthy_kill is being stopped.
  enum class Cause { none, health, watchdog };

  void spawn();
  void arm_ready_timer(Millis delay);
  // Stop signal (+ SIGCONT) and kill timer, into `soft`; SIGKILL into `hard` under brutal_kill.
  void begin_stop(WorkerState soft = WorkerState::stopping, WorkerState hard = WorkerState::killing);
  // The health/watchdog half of perform() (worker_health.cpp).
  void perform_health(Action action, const Input& in);
  void start_monitoring();
  void stop_monitoring();
  void schedule_probe(Millis interval, bool liveness = false);
  void send_probe(const config::Probe& probe, Millis timeout);
  void arm_watchdog(Millis delay);
  void condemn(Cause cause, std::string error, int failures);
  void report_sick_exit(ExitStatus status);
  void report_running();
  void report_start_failed(std::string error);
  void report_stopped();
  void finish_process();
  void record_exit(ExitStatus status);
  std::string start_failure(const Input& in) const;
  ExitReason classify(ExitStatus status) const;

  // Eight-byte members first, then the four-byte ones: no padding between them (a worker
  // is kept per configured child).
  SpawnToken token_ = 0;
  Millis started_at_ = 0;
  Millis last_uptime_ = 0;
  config::Lazy<std::string> status_text_;  // out of line: most workers never send STATUS=
  TimerToken ready_timer_ = 0;
  TimerToken kill_timer_ = 0;
  // Probes (readiness by probe, health): at most one in flight; probe_timer_ is the next
  // probe's due time while none is, its timeout while one is.
  TimerToken probe_timer_ = 0;
  std::uint64_t probe_seq_ = 0;  // bumped at each schedule, send and stop: stale runs are dropped
  Millis probe_sent_at_ = 0;
  // The watchdog: its timer fires at last_ping_ + watchdog at the earliest (re-armed then for
  // what is left), so a WATCHDOG=1 costs no timer operation.
  TimerToken watchdog_timer_ = 0;
  std::uint64_t watchdog_gen_ = 0;  // bumped at each stop: a stale timer's run is dropped
  Millis last_ping_ = 0;
  // The seq of the event behind what the worker is doing (docs/DESIGN.md "Causes"): its
  // parent's start or stop, an operator's signal, the `unhealthy` that condemned it; 0 once
  // it runs, so an exit of its own is a root cause. Restored when the host answers.
  std::uint64_t why_ = 0;
  std::optional<ExitStatus> last_exit_;
  WorkerState state_ = WorkerState::stopped;
  int pid_ = 0;  // meaningful while has_process(state_)
  int consecutive_restarts_ = 0;
  HealthState health_ = HealthState::starting;
  int health_failures_ = 0;
  Cause cause_ = Cause::none;
  bool probe_in_flight_ = false;
};

std::string describe(ExitStatus status);

}  // namespace arbor::core
