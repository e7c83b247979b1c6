#include "daemon/core/worker.h"

#include <algorithm>
#include <csignal>

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
  if (token_ != 0) ctx_.remove_spawn(token_);
}

void Worker::start() {
  state_ = ChildState::starting;
  pid_.reset();
  status_text_.reset();
  stop_pending_ = false;
  ready_timed_out_ = false;
  token_ = ctx_.add_spawn(this);
  ctx_.host().spawn(token_, path_, spec_->worker);
}

void Worker::on_spawned(int pid) {
  pid_ = pid;
  started_at_ = ctx_.now();
  if (stop_pending_) {
    begin_stop();
    return;
  }
  if (spec_->worker.ready.kind == config::Ready::Kind::none) {
    become_running();
    return;
  }
  const NodeId id = id_;
  Context& ctx = ctx_;
  ready_timer_ = ctx_.arm(spec_->worker.ready.timeout_ms, [&ctx, id] {
    if (auto* w = dynamic_cast<Worker*>(ctx.node(id))) w->on_ready_timeout();
  });
}

void Worker::on_ready() {
  if (state_ != ChildState::starting || !pid_ || ready_timed_out_) return;
  ctx_.cancel(ready_timer_);
  become_running();
}

void Worker::become_running() {
  state_ = ChildState::running;
  ctx_.emit(Event{.type = EventType::started, .path = path_, .pid = pid_});
  notify([](ChildObserver& o, NodeId id) { o.child_started(id); });
}

void Worker::on_ready_timeout() {
  ready_timer_ = 0;
  if (state_ != ChildState::starting) return;
  // The start has failed; the process must be gone before the failure is reported.
  ready_timed_out_ = true;
  ctx_.host().signal(token_, kSigKill);
  ctx_.host().signal(token_, kSigCont);
}

void Worker::on_spawn_failed(const std::string& error) {
  finish_process();
  pid_.reset();
  state_ = ChildState::stopped;
  ctx_.emit(Event{.type = EventType::start_failed, .path = path_, .error = error});
  if (stop_pending_) {
    notify([](ChildObserver& o, NodeId id) { o.child_stopped(id); });
    return;
  }
  Failure failure{path_, error};
  notify([failure](ChildObserver& o, NodeId id) { o.child_start_failed(id, failure); });
}

void Worker::on_exited(ExitStatus status) {
  finish_process();
  const ChildState was = state_;
  const std::optional<int> pid = pid_;
  last_exit_ = status;
  last_uptime_ = ctx_.now() - started_at_;
  pid_.reset();
  state_ = ChildState::stopped;
  switch (was) {
    case ChildState::starting: {
      std::string error = ready_timed_out_
                              ? fmt::format("ready: timed out after {} ms", spec_->worker.ready.timeout_ms)
                              : fmt::format("exited before ready: {}", describe(status));
      ctx_.emit(Event{.type = EventType::start_failed, .path = path_, .error = error});
      Failure failure{path_, std::move(error)};
      notify([failure](ChildObserver& o, NodeId id) { o.child_start_failed(id, failure); });
      return;
    }
    case ChildState::running: {
      const ExitReason reason = classify(status);
      ctx_.emit(Event{.type = EventType::exited, .path = path_, .pid = pid, .exit = status, .reason = reason});
      notify([reason](ChildObserver& o, NodeId id) { o.child_exited(id, reason); });
      return;
    }
    case ChildState::stopping:
      ctx_.emit(Event{.type = EventType::exited, .path = path_, .pid = pid, .exit = status,
                      .reason = ExitReason::shutdown});
      notify([](ChildObserver& o, NodeId id) { o.child_stopped(id); });
      return;
    case ChildState::stopped:
    case ChildState::restarting:
      return;  // no process of ours: the token was already forgotten
  }
}

void Worker::finish_process() {
  ctx_.cancel(ready_timer_);
  ctx_.cancel(kill_timer_);
  if (token_ != 0) ctx_.remove_spawn(token_);
}

ExitReason Worker::classify(ExitStatus status) const {
  if (status.signaled) return ExitReason::abnormal;
  const auto& ok = spec_->worker.success_exit_codes;
  return std::find(ok.begin(), ok.end(), status.value) != ok.end() ? ExitReason::normal : ExitReason::abnormal;
}

void Worker::stop() {
  switch (state_) {
    case ChildState::stopped:
    case ChildState::restarting:
      ctx_.cancel(restart_timer);
      state_ = ChildState::stopped;
      notify([](ChildObserver& o, NodeId id) { o.child_stopped(id); });
      return;
    case ChildState::starting:
      if (!pid_) {
        stop_pending_ = true;  // the host has not answered the spawn yet
        return;
      }
      begin_stop();
      return;
    case ChildState::running:
      begin_stop();
      return;
    case ChildState::stopping:
      return;
  }
}

void Worker::begin_stop() {
  state_ = ChildState::stopping;
  ctx_.cancel(ready_timer_);
  const config::Shutdown& sd = spec_->shutdown;
  switch (sd.kind) {
    case config::Shutdown::Kind::brutal_kill:
      ctx_.host().signal(token_, kSigKill);
      return;
    case config::Shutdown::Kind::timeout:
    case config::Shutdown::Kind::infinity:
      break;
  }
  // SIGCONT after the stop signal, so a stopped (SIGSTOP) process still acts on it.
  ctx_.host().signal(token_, spec_->worker.stop_signal);
  ctx_.host().signal(token_, kSigCont);
  if (sd.kind == config::Shutdown::Kind::timeout) {
    const NodeId id = id_;
    Context& ctx = ctx_;
    kill_timer_ = ctx_.arm(sd.ms, [&ctx, id] {
      if (auto* w = dynamic_cast<Worker*>(ctx.node(id))) w->on_kill_timeout();
    });
  }
}

void Worker::on_kill_timeout() {
  kill_timer_ = 0;
  if (state_ == ChildState::stopping) ctx_.host().signal(token_, kSigKill);
}

bool Worker::send_signal(int signo) {
  if (!pid_ || state_ == ChildState::stopped || state_ == ChildState::restarting) return false;
  ctx_.host().signal(token_, signo);
  return true;
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
