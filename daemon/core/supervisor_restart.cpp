// OTP's decisions when a child dies: restart it (and its group), leave it, remove it,
// give up, or shut the supervisor down (significant children).
#include <algorithm>

#include "daemon/core/restart_range.h"
#include "daemon/core/supervisor.h"
#include "daemon/core/worker.h"

namespace arbor::core {

namespace {
// The `restarting` event's strategy, spelled as the config spells it (a dynamic
// supervisor's is one_for_one).
const char* strategy_name(config::Strategy strategy) {
  switch (strategy) {
    case config::Strategy::one_for_one:
      return "one_for_one";
    case config::Strategy::one_for_all:
      return "one_for_all";
    case config::Strategy::rest_for_one:
      return "rest_for_one";
  }
  return "one_for_one";
}
}  // namespace

void Supervisor::handle_death(Node& child, ExitReason reason) {
  const config::RestartType type = child.spec().restart;
  const bool restart_it = type == config::RestartType::permanent ||
                          (type == config::RestartType::transient && reason == ExitReason::abnormal);
  if (restart_it) {
    restart(child);
    return;
  }
  const bool significant = child.spec().significant;
  // Read before the child may be removed (a temporary one is).
  std::optional<ExitStatus> trigger;
  if (significant) {
    trigger = child.is_worker() ? static_cast<const Worker&>(child).last_exit()
                                : static_cast<const Supervisor&>(child).auto_shutdown_exit();
  }
  if (removed_when_ended(child)) remove_child(child.id());
  if (significant) check_auto_shutdown(trigger);
}

std::vector<Node*> Supervisor::restart_group(const Node& child) {
  const auto it = std::find_if(children_.begin(), children_.end(),
                               [&](const std::unique_ptr<Node>& c) { return c.get() == &child; });
  const auto position = static_cast<std::size_t>(it - children_.begin());
  const RestartRange r = restart_range(spec_->supervisor->strategy, is_dynamic(), position, children_.size());
  std::vector<Node*> group;
  group.reserve(r.last - r.first);
  for (std::size_t i = r.first; i < r.last; ++i) group.push_back(children_[i].get());
  return group;
}

void Supervisor::arm_restart(Node& child, Millis delay) {
  child.mark_restarting(ctx_.now() + delay);
  child.restart_timer = ctx_.arm(delay, [&ctx = ctx_, self = id_, id = child.id()] {
    if (auto* sup = dynamic_cast<Supervisor*>(ctx.node(self))) {
      sup->mailbox_.push_back(Message{.kind = Message::Kind::due, .child = id, .cause = ctx.cause()});
      sup->schedule_pump();
    }
  });
}

void Supervisor::restart(Node& child) {
  const Millis delay =
      child.is_worker() ? static_cast<Worker&>(child).next_backoff_delay(ctx_.host().random_unit()) : 0;
  if (delay == 0 && !intensity_.add(ctx_.now())) {
    begin_give_up();
    return;
  }
  ctx_.emit(Event{
      .type = EventType::restarting,
      .path = child.path(),
      .delay_ms = delay,
      .strategy = strategy_name(is_dynamic() ? config::Strategy::one_for_one : spec_->supervisor->strategy)});
  const std::vector<Node*> range = restart_group(child);
  if (delay > 0 && range.size() == 1) {
    arm_restart(child, delay);
    return;
  }
  // one_for_all / rest_for_one: stop the others of the group in reverse order, then
  // start the group in order. Temporary children of the group are dropped (removed
  // when they stop), and children stopped by an operator come back, as in OTP.
  Job job{.purpose = Restart{.delay = delay}};
  for (auto it = range.rbegin(); it != range.rend(); ++it) {
    if (*it != &child && (*it)->state() != ChildState::stopped) job.to_stop.push_back((*it)->id());
  }
  for (Node* n : range) {
    if (n == &child || n->spec().restart != config::RestartType::temporary) job.to_start.push_back(n->id());
  }
  begin(std::move(job));
}

void Supervisor::restart_now(NodeId subject) {
  Node* child = ctx_.node(subject);
  if (child == nullptr) return;
  if (!intensity_.add(ctx_.now())) {
    begin_give_up();
    return;
  }
  Job job{.purpose = Restart{}};
  for (Node* n : restart_group(*child)) {
    if (n->state() != ChildState::restarting) continue;
    ctx_.cancel(n->restart_timer);
    job.to_start.push_back(n->id());
  }
  begin(std::move(job));
}

void Supervisor::check_auto_shutdown(std::optional<ExitStatus> trigger) {
  bool shut = false;
  switch (spec_->supervisor->auto_shutdown) {
    case config::AutoShutdown::never:
      return;
    case config::AutoShutdown::any_significant:
      shut = true;
      break;
    case config::AutoShutdown::all_significant:
      if (is_dynamic()) {
        shut = children_.empty();
      } else {
        shut = std::none_of(children_.begin(), children_.end(), [](const std::unique_ptr<Node>& c) {
          return c->spec().significant && c->state() != ChildState::stopped;
        });
      }
      break;
  }
  if (!shut) return;
  ending_ = Ending::auto_shutdown;
  auto_shutdown_exit_ = trigger;
  begin_stop_all();
}

}  // namespace arbor::core
