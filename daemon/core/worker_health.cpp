// The worker's health actions (cells of worker_table.cpp): readiness by probe, liveness
// probes, the watchdog, and the stop that follows a failure. The host only runs probes and
// reads WATCHDOG=; counting failures, timing probes out, and what the exit means is here.
#include <algorithm>

#include <fmt/format.h>

#include "daemon/core/worker.h"

namespace arbor::core {

namespace {

// One readiness try's own timeout (the `timeout` of `ready` bounds all tries together):
// Kubernetes' default probe timeout, or the interval when that is longer.
constexpr Millis kReadyTryTimeout = 1000;
constexpr Millis kProbeGrid = 8;        // ms; see schedule_probe
constexpr Millis kProbeGridFrom = 500;  // shorter intervals keep their exact schedule

// What a probe does, as its errors start: "connect 127.0.0.1:5432", "GET /healthz", "exec".
std::string probe_what(const config::Probe& p) {
  switch (p.kind) {
    case config::Probe::Kind::exec:
      return "exec";
    case config::Probe::Kind::tcp:
      return "connect " + p.text;
    case config::Probe::Kind::http:
      return "GET " + p.path;
  }
  return "probe";
}

}  // namespace

std::optional<HealthState> Worker::health() const {
  if (!spec_->worker.health) return std::nullopt;
  return health_;
}

void Worker::on_probe_result(std::uint64_t seq, bool passed, const std::string& error) {
  if (!probe_in_flight_ || seq != probe_seq_) return;  // an abandoned probe's late answer
  probe_in_flight_ = false;
  ctx_.cancel(probe_timer_);  // its timeout
  dispatch({.event = passed ? WorkerEvent::probe_passed : WorkerEvent::probe_failed, .error = error});
}

void Worker::perform_health(Action action, const Input& in) {
  const config::WorkerSpec& w = spec_->worker;
  switch (action) {
    case Action::tryready:
      send_probe(*w.ready.probe, std::max(kReadyTryTimeout, w.ready.interval_ms));
      return;
    case Action::check:
      send_probe(w.health->probe, w.health->timeout_ms);
      return;
    case Action::retry:
      schedule_probe(w.ready.interval_ms);
      return;
    case Action::healthy:
      health_ = HealthState::healthy;
      health_failures_ = 0;
      schedule_probe(w.health->interval_ms, true);
      return;
    case Action::sick: {
      // Docker's start period: failures in it do not count, and a pass ends it early.
      const bool in_start_period =
          health_ == HealthState::starting && ctx_.now() - started_at_ < w.health->start_period_ms;
      if (!in_start_period) {
        ++health_failures_;
        ++totals.health_failures;
      }
      if (health_failures_ >= w.health->failures) {
        condemn(Cause::health, std::string(in.error), health_failures_);
        return;
      }
      schedule_probe(w.health->interval_ms, true);
      return;
    }
    case Action::pet:
      last_ping_ = ctx_.now();
      return;
    case Action::trigger:
      condemn(Cause::watchdog, "watchdog: WATCHDOG=trigger", 1);
      return;
    case Action::bark: {
      watchdog_timer_ = 0;
      const Millis left = last_ping_ + *w.watchdog_ms - ctx_.now();
      if (left > 0) {
        arm_watchdog(left);
        return;
      }
      condemn(Cause::watchdog, fmt::format("watchdog: no WATCHDOG=1 for {} ms", *w.watchdog_ms), 1);
      return;
    }
    case Action::adopt:
      state_ = WorkerState::stopping;  // the kill timer stays armed
      cause_ = Cause::none;
      return;
    case Action::adoptk:
      state_ = WorkerState::killing;
      cause_ = Cause::none;
      return;
    case Action::killx:
      kill_timer_ = 0;
      state_ = WorkerState::unhealthy_kill;
      ctx_.host().signal(token_, 9);  // SIGKILL
      return;
    case Action::sickx:
      report_sick_exit(in.status);
      return;
    case Action::missing:
    case Action::ignore:
    case Action::spawn:
    case Action::ack:
    case Action::defer:
    case Action::term:
    case Action::await:
    case Action::park:
    case Action::unpark:
    case Action::exec:
    case Action::abort:
    case Action::failed:
    case Action::halted:
    case Action::up:
    case Action::unready:
    case Action::died:
    case Action::gone:
    case Action::kill:
    case Action::pass:
      return;  // perform() does these
  }
}

void Worker::start_monitoring() {
  const config::WorkerSpec& w = spec_->worker;
  // Docker's rule: the first check one interval after the start (a check at the very moment
  // of exec would fail for most programs and only add noise).
  if (w.health) {
    probe_sent_at_ = ctx_.now();
    schedule_probe(w.health->interval_ms, true);
  }
  // systemd's: the watchdog runs from the end of the start-up.
  if (w.watchdog_ms) {
    last_ping_ = ctx_.now();
    arm_watchdog(*w.watchdog_ms);
  }
}

void Worker::stop_monitoring() {
  ++probe_seq_;  // whatever of ours is queued already is stale now
  ++watchdog_gen_;
  ctx_.cancel(probe_timer_);
  ctx_.cancel(watchdog_timer_);
  if (probe_in_flight_) {
    probe_in_flight_ = false;
    ctx_.host().cancel_probe(token_);
  }
}

// The next probe `interval` after the previous one was sent; at once when that one took
// longer (probes never overlap).
void Worker::schedule_probe(Millis interval, bool liveness) {
  Millis due = probe_sent_at_ + interval;
  // Liveness probes of every worker share a grid of kProbeGrid ms (a deadline moves to the
  // nearest grid point), so one wakeup sends all the probes due in it: 1,000 workers probed
  // each second wake arbord ~125 times a second instead of 1,000 (each wakeup costs a
  // context switch and an epoll round). Readiness retries are not moved: they gate a start.
  if (liveness && interval >= kProbeGridFrom) due = (due + kProbeGrid / 2) / kProbeGrid * kProbeGrid;
  const Millis delay = std::max<Millis>(0, due - ctx_.now());
  // A timer that fired just before a cancel still runs from the queue: the seq tells.
  probe_timer_ = ctx_.arm(delay, [&ctx = ctx_, id = id_, seq = ++probe_seq_] {
    if (auto* w = dynamic_cast<Worker*>(ctx.node(id)); w != nullptr && w->probe_seq_ == seq) {
      w->probe_timer_ = 0;
      w->dispatch({.event = WorkerEvent::probe_due});
    }
  });
}

void Worker::send_probe(const config::Probe& probe, Millis timeout) {
  probe_in_flight_ = true;
  probe_sent_at_ = ctx_.now();
  const std::uint64_t seq = ++probe_seq_;
  ctx_.host().probe(token_, seq, probe, spec_->worker);
  // The error text is made only if the timeout fires (a probe a second per worker must
  // not format a string each time); `readiness` says which of the spec's probes it was.
  const bool readiness = &probe == &*spec_->worker.ready.probe;
  probe_timer_ = ctx_.arm(timeout, [&ctx = ctx_, id = id_, seq, timeout, readiness] {
    auto* w = dynamic_cast<Worker*>(ctx.node(id));
    if (w != nullptr && w->probe_seq_ == seq && w->probe_in_flight_) {
      w->probe_timer_ = 0;
      w->probe_in_flight_ = false;
      ctx.host().cancel_probe(w->token_);
      const config::WorkerSpec& spec = w->spec_->worker;
      const config::Probe& p = readiness || !spec.health ? *spec.ready.probe : spec.health->probe;
      const std::string error = fmt::format("{}: timed out after {} ms", probe_what(p), timeout);
      w->dispatch({.event = WorkerEvent::probe_failed, .error = error});
    }
  });
}

void Worker::arm_watchdog(Millis delay) {
  watchdog_timer_ = ctx_.arm(delay, [&ctx = ctx_, id = id_, gen = watchdog_gen_] {
    if (auto* w = dynamic_cast<Worker*>(ctx.node(id)); w != nullptr && w->watchdog_gen_ == gen) {
      w->watchdog_timer_ = 0;
      w->dispatch({.event = WorkerEvent::watchdog_timeout});
    }
  });
}

void Worker::condemn(Cause cause, std::string error, int failures) {
  cause_ = cause;
  if (spec_->worker.health) health_ = HealthState::unhealthy;
  ctx_.set_cause(0);  // a failed check is a root cause; the stop and the exit point at it
  why_ = ctx_.emit(
      Event{.type = EventType::unhealthy, .path = path_, .error = std::move(error), .failures = failures});
  begin_stop(WorkerState::unhealthy, WorkerState::unhealthy_kill);
}

// Its end is an abnormal exit whatever its status (a program that exits 0 on SIGTERM too),
// so the strategy and the restart intensity apply as to any crash.
void Worker::report_sick_exit(ExitStatus status) {
  const int pid = pid_;
  const Cause cause = cause_;
  record_exit(status);
  ctx_.emit(Event{.type = EventType::exited,
                  .path = path_,
                  .pid = pid,
                  .exit = status,
                  .reason = ExitReason::abnormal,
                  .health = cause == Cause::health,
                  .watchdog = cause == Cause::watchdog});
  notify([](ChildObserver& o, NodeId id) { o.child_exited(id, ExitReason::abnormal); });
}

}  // namespace arbor::core
