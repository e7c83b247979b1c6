// The supervisor's job engine: a Job's stops (in order, or all at once), what its kind
// does between the stops and the starts, its starts (one at a time), and its end.
#include <utility>

#include "daemon/core/supervisor.h"

namespace arbor::core {

void Supervisor::begin(Job job) {
  job.cause = ctx_.cause();
  job_ = std::move(job);
  advance();
}

void Supervisor::advance() {
  while (job_) {
    Job& job = *job_;
    if (!job.stopping.empty() || job.starting != 0) return;  // waiting for a child
    if (!job.to_stop.empty()) {
      std::deque<NodeId> batch;
      if (job.concurrent_stop) {
        batch.swap(job.to_stop);
      } else {
        batch.push_back(job.to_stop.front());
        job.to_stop.pop_front();
      }
      for (NodeId id : batch) {
        Node* child = ctx_.node(id);
        if (child == nullptr || child->parent() != this || child->state() == ChildState::stopped) continue;
        job.stopping.insert(id);
        ctx_.set_cause(job.cause);
        child->stop();
      }
      continue;
    }
    if (!between_stops_and_starts(job)) return;
    if (!job.to_start.empty()) {
      const NodeId id = job.to_start.front();
      job.to_start.pop_front();
      Node* child = ctx_.node(id);
      if (child == nullptr || child->parent() != this) {
        auto* command = std::get_if<Command>(&job.purpose);
        if (command != nullptr && command->op == Command::Op::restart) {
          command->result = OpResult::failure(ErrorCode::not_found, "the child was removed when it stopped");
        }
        continue;
      }
      if (std::holds_alternative<Restart>(job.purpose)) ++child->restarts;
      job.starting = id;
      ctx_.set_cause(job.cause);
      child->set_operator_stopped(false);  // whatever starts it (a group restart too) ends the stop
      child->start();
      continue;
    }
    finish_job();
    return;
  }
}

// Returns false when the job has ended there (a group backoff now waits on timers).
bool Supervisor::between_stops_and_starts(Job& job) {
  if (auto* reload = std::get_if<Reload>(&job.purpose); reload != nullptr && reload->after_stops) {
    // Swaps specs and queues the starts; runs once.
    std::exchange(reload->after_stops, nullptr)();
    return true;
  }
  if (auto* restart = std::get_if<Restart>(&job.purpose); restart != nullptr && restart->delay > 0) {
    ctx_.set_cause(job.cause);  // the delayed starts point at the restarting, not at the last stop
    park_group(job.to_start, restart->delay);
    job_.reset();
    schedule_pump();
    return false;
  }
  return true;
}

void Supervisor::park_group(const std::deque<NodeId>& group, Millis delay) {
  // Group backoff: the stops are done; every child of the group waits for the delay.
  for (NodeId id : group) {
    Node* child = ctx_.node(id);
    if (child != nullptr && child->parent() == this) arm_restart(*child, delay);
  }
}

void Supervisor::finish_job() {
  Job job = std::move(*job_);
  job_.reset();
  ctx_.set_cause(job.cause);  // the supervisor's started or exited points where the job did
  const bool stopped = std::visit(
      Overloaded{
          [&](StartAll& start) {
            if (start.failure) {
              state_ = ChildState::stopped;
              notify([failure = *start.failure](ChildObserver& o, NodeId id) {
                o.child_start_failed(id, failure);
              });
            } else {
              state_ = ChildState::running;
              ctx_.emit(Event{.type = EventType::started, .path = path_});
              notify([](ChildObserver& o, NodeId id) { o.child_started(id); });
            }
            return false;
          },
          [&](StopAll&) {
            state_ = ChildState::stopped;
            intensity_.reset();
            ctx_.emit(Event{.type = EventType::exited, .path = path_, .reason = ExitReason::shutdown});
            if (stop_requested_) {
              notify([](ChildObserver& o, NodeId id) { o.child_stopped(id); });
            } else {
              notify([](ChildObserver& o, NodeId id) { o.child_exited(id, ExitReason::shutdown); });
            }
            return true;
          },
          [&](Restart&) { return false; },
          [&](Command& command) {
            command.reply(command.result);
            return false;
          },
          [&](Reload& reload) {
            if (reload.on_done) reload.on_done();
            return false;
          },
      },
      job.purpose);
  if (!stopped) schedule_pump();  // a stopped supervisor has nothing more to handle
}

void Supervisor::abandon_job() {
  std::visit(Overloaded{
                 [](StartAll&) {},
                 [](StopAll&) {},
                 [](Restart&) {},
                 [&](Command& command) {
                   command.reply(OpResult::failure(ErrorCode::busy, path_ + " is stopping"));
                 },
                 [](Reload& reload) {
                   if (reload.on_done) reload.on_done();
                 },
             },
             job_->purpose);
}

void Supervisor::handle_start_failure(Node& child, const Failure& failure) {
  Job& job = *job_;
  std::visit(Overloaded{
                 [&](StartAll& start) {
                   // OTP's init failing: stop what was started, in reverse, then report upwards.
                   start.failure = failure;
                   job.to_start.clear();
                   for (auto it = children_.rbegin(); it != children_.rend(); ++it) {
                     if ((*it)->state() != ChildState::stopped) job.to_stop.push_back((*it)->id());
                   }
                 },
                 [&](Restart&) {
                   // try_again_restart: retried through the mailbox, counted again, after other messages.
                   child.mark_restarting(ctx_.now());
                   mailbox_.push_back(Message{.kind = Message::Kind::try_again, .child = child.id()});
                   job.to_start.clear();
                 },
                 [&](Command& command) {
                   switch (command.op) {
                     case Command::Op::start:
                     case Command::Op::restart:
                       command.result =
                           OpResult::failure(ErrorCode::start_failed, failure.path + ": " + failure.error);
                       return;
                     case Command::Op::add:
                       command.result =
                           OpResult::failure(ErrorCode::start_failed, failure.path + ": " + failure.error);
                       remove_child(child.id());  // OTP keeps no spec for a child that failed to start
                       return;
                     case Command::Op::stop:
                       return;
                   }
                 },
                 [](Reload&) {},  // the child stays stopped; the reload goes on with the others
                 [](StopAll&) {},
             },
             job.purpose);
  advance();
}

}  // namespace arbor::core
