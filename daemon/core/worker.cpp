// The worker's actions: what each cell of the table (worker_table.cpp) does. The table
// decides; nothing here tests the state again.
#include "daemon/core/worker.h"

#include <algorithm>

#include <fmt/format.h>

namespace arbor::core {

namespace {
constexpr int kSigKill = 9;
constexpr int kSigCont = 18;
}  // namespace

std::string describe(ExitStatus status) {
  return status.signaled ? fmt::format("killed by signal {}", status.value)
                         : fmt::format("exit code {}", status.value);
}

Worker::~Worker() {
  ctx_.cancel(ready_timer_);
  ctx_.cancel(kill_timer_);
  stop_monitoring();
  if (token_ != 0) ctx_.remove_spawn(token_);
}

namespace {
// Whether `e` is a call from the parent or the operator, which brings its own cause, or
// the host's answer (or a timer) on what the worker is doing, whose cause is the worker's.
bool brings_cause(WorkerEvent e) {
  switch (e) {
    case WorkerEvent::start:
    case WorkerEvent::stop:
    case WorkerEvent::park:
    case WorkerEvent::unpark:
    case WorkerEvent::signal:
      return true;
    case WorkerEvent::spawned:
    case WorkerEvent::spawn_failed:
    case WorkerEvent::ready:
    case WorkerEvent::ready_timeout:
    case WorkerEvent::exited:
    case WorkerEvent::kill_timeout:
    case WorkerEvent::probe_due:
    case WorkerEvent::probe_passed:
    case WorkerEvent::probe_failed:
    case WorkerEvent::watchdog:
    case WorkerEvent::watchdog_trigger:
    case WorkerEvent::watchdog_timeout:
      return false;
  }
  return false;
}
}  // namespace
void Worker::arm_ready_timer(Millis delay) {
  ready_timer_ = ctx_.arm(delay, [&ctx = ctx_, id = id_] {
    if (auto* w = dynamic_cast<Worker*>(ctx.node(id))) {
      w->ready_timer_ = 0;
      w->dispatch({.event = WorkerEvent::ready_timeout});
    }
  });
}

bool Worker::dispatch(const Input& in) {
  const Action action = decide(state_, in.event);
  if (action != Action::ignore) {
    if (brings_cause(in.event)) {
      why_ = ctx_.cause();
    } else {
      ctx_.set_cause(why_);
    }
  }
  perform(action, in);
  return action != Action::ignore;
}

void Worker::perform(Action action, const Input& in) {
  switch (action) {
    case Action::missing:  // refused by the table's static_assert
    case Action::ignore:
      return;
    case Action::spawn:
      spawn();
      return;
    case Action::ack:
      ctx_.cancel(restart_timer);
      state_ = WorkerState::stopped;
      report_stopped();
      return;
    case Action::defer:
      state_ = WorkerState::cancelling;
      return;
    case Action::term:
      begin_stop();
      return;
    case Action::await:
      ctx_.cancel(ready_timer_);
      state_ = WorkerState::killing;
      return;
    case Action::park:
      state_ = WorkerState::backoff;
      next_restart_at_ = in.restart_at;
      return;
    case Action::unpark:
      ctx_.cancel(restart_timer);
      state_ = WorkerState::stopped;
      return;
    case Action::exec:
      pid_ = in.pid;
      started_at_ = ctx_.now();
      if (spec_->worker.ready.kind == config::Ready::Kind::none) {
        report_running();
        return;
      }
      state_ = WorkerState::awaiting_ready;
      arm_ready_timer(spec_->worker.ready.timeout_ms);
      // Readiness by probe: the first try at once, the next ones every ready.interval.
      if (spec_->worker.ready.kind == config::Ready::Kind::probe) perform_health(Action::tryready, in);
      return;
    case Action::abort:
      pid_ = in.pid;
      started_at_ = ctx_.now();
      begin_stop();
      return;
    case Action::failed: {
      std::string error = start_failure(in);  // depends on the state left here
      if (in.event == WorkerEvent::exited) record_exit(in.status);
      report_start_failed(std::move(error));
      return;
    }
    case Action::halted:
      finish_process();
      state_ = WorkerState::stopped;
      ctx_.emit(Event{.type = EventType::start_failed, .path = path_, .error = std::string(in.error)});
      report_stopped();
      return;
    case Action::up:
      ctx_.cancel(ready_timer_);
      report_running();
      return;
    case Action::unready:
      // The start has failed; the process must be gone before the failure is reported.
      state_ = WorkerState::failing;
      stop_monitoring();
      ctx_.host().signal(token_, kSigKill);
      ctx_.host().signal(token_, kSigCont);
      return;
    case Action::died: {
      const int pid = pid_;
      record_exit(in.status);
      const ExitReason reason = classify(in.status);
      ctx_.emit(
          Event{.type = EventType::exited, .path = path_, .pid = pid, .exit = in.status, .reason = reason});
      notify([reason](ChildObserver& o, NodeId id) { o.child_exited(id, reason); });
      return;
    }
    case Action::gone: {
      const int pid = pid_;
      const bool had_process = has_process(state_);
      record_exit(in.status);
      ctx_.emit(Event{.type = EventType::exited,
                      .path = path_,
                      .pid = had_process ? std::optional<int>(pid) : std::nullopt,
                      .exit = in.status,
                      .reason = ExitReason::shutdown});
      report_stopped();
      return;
    }
    case Action::kill:
      kill_timer_ = 0;
      state_ = WorkerState::killing;
      ctx_.host().signal(token_, kSigKill);
      return;
    case Action::pass:
      ctx_.host().signal(token_, in.signo);
      return;
    case Action::tryready:
    case Action::check:
    case Action::retry:
    case Action::healthy:
    case Action::sick:
    case Action::pet:
    case Action::trigger:
    case Action::bark:
    case Action::adopt:
    case Action::adoptk:
    case Action::killx:
    case Action::sickx:
      perform_health(action, in);
      return;
  }
}

void Worker::spawn() {
  state_ = WorkerState::spawning;
  status_text_.reset();
  health_ = HealthState::starting;
  health_failures_ = 0;
  cause_ = Cause::none;
  token_ = ctx_.add_spawn(this);
  ctx_.host().spawn(token_, path_, spec_->worker);
}

void Worker::begin_stop(WorkerState soft, WorkerState hard) {
  ctx_.cancel(ready_timer_);
  stop_monitoring();
  const config::Shutdown& sd = spec_->shutdown;
  switch (sd.kind) {
    case config::Shutdown::Kind::brutal_kill:
      state_ = hard;
      ctx_.host().signal(token_, kSigKill);
      return;
    case config::Shutdown::Kind::timeout:
    case config::Shutdown::Kind::infinity:
      break;
  }
  state_ = soft;
  // SIGCONT after the stop signal, so a stopped (SIGSTOP) process still acts on it.
  ctx_.host().signal(token_, spec_->worker.stop_signal);
  ctx_.host().signal(token_, kSigCont);
  if (sd.kind == config::Shutdown::Kind::timeout) {
    kill_timer_ = ctx_.arm(sd.ms, [&ctx = ctx_, id = id_] {
      if (auto* w = dynamic_cast<Worker*>(ctx.node(id))) w->dispatch({.event = WorkerEvent::kill_timeout});
    });
  }
}

void Worker::report_running() {
  state_ = WorkerState::running;
  start_monitoring();
  ctx_.emit(Event{.type = EventType::started, .path = path_, .pid = pid_});
  why_ = 0;  // from now on, an exit of its own is a root cause
  notify([](ChildObserver& o, NodeId id) { o.child_started(id); });
}

void Worker::report_start_failed(std::string error) {
  finish_process();
  state_ = WorkerState::stopped;
  ctx_.emit(Event{.type = EventType::start_failed, .path = path_, .error = error});
  Failure failure{path_, std::move(error)};
  notify([failure](ChildObserver& o, NodeId id) { o.child_start_failed(id, failure); });
}

void Worker::report_stopped() {
  notify([](ChildObserver& o, NodeId id) { o.child_stopped(id); });
}

std::string Worker::start_failure(const Input& in) const {
  if (in.event == WorkerEvent::spawn_failed) return std::string(in.error);
  if (state_ == WorkerState::failing) {
    return fmt::format("ready: timed out after {} ms", spec_->worker.ready.timeout_ms);
  }
  return fmt::format("exited before ready: {}", describe(in.status));
}

void Worker::record_exit(ExitStatus status) {
  finish_process();
  last_exit_ = status;
  last_uptime_ = ctx_.now() - started_at_;
  state_ = WorkerState::stopped;
}

void Worker::finish_process() {
  ctx_.cancel(ready_timer_);
  ctx_.cancel(kill_timer_);
  stop_monitoring();
  if (token_ != 0) ctx_.remove_spawn(token_);
  token_ = 0;
}

ExitReason Worker::classify(ExitStatus status) const {
  if (status.signaled) return ExitReason::abnormal;
  return spec_->worker.success_exit_codes.contains(status.value) ? ExitReason::normal : ExitReason::abnormal;
}

Millis Worker::next_backoff_delay(double random_unit) {
  if (!spec_->worker.backoff) return 0;
  const config::Backoff& b = *spec_->worker.backoff;
  if (last_uptime_ > b.max_ms) consecutive_restarts_ = 0;
  last_uptime_ = 0;  // a failed start that follows has no uptime
  ++consecutive_restarts_;
  Millis base = b.initial_ms;
  for (int k = 1; k < consecutive_restarts_ && base < b.max_ms; ++k) base *= 2;
  base = std::min(base, b.max_ms);
  const double jitter = 1.0 + 0.2 * (random_unit - 0.5);  // ±10%
  return std::max<Millis>(1, static_cast<Millis>(static_cast<double>(base) * jitter));
}

}  // namespace arbor::core
