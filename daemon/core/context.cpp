#include "daemon/core/context.h"

namespace arbor::core {

void Context::drain() {
  if (draining_) return;
  draining_ = true;
  while (!queue_.empty()) {
    Queued item = std::move(queue_.front());
    queue_.pop_front();
    cause_ = item.cause;
    item.fn();
  }
  draining_ = false;
}

TimerToken Context::arm(Millis delay, std::function<void()> fn) {
  const TimerToken token = next_id_++;
  timers_.emplace(token, Queued{std::move(fn), cause_});
  host_.arm_timer(token, now_ + (delay < 0 ? 0 : delay));
  return token;
}

void Context::cancel(TimerToken& token) {
  if (token == 0) return;
  if (timers_.erase(token) > 0) host_.cancel_timer(token);
  token = 0;
}

void Context::fire(TimerToken token) {
  auto it = timers_.find(token);
  if (it == timers_.end()) return;          // cancelled after the host had already queued it
  queue_.push_back(std::move(it->second));  // with the cause of the moment it was armed
  timers_.erase(it);
}

NodeId Context::add_node(Node* node) {
  const NodeId id = next_id_++;
  nodes_.emplace(id, node);
  return id;
}

Node* Context::node(NodeId id) const {
  auto it = nodes_.find(id);
  return it == nodes_.end() ? nullptr : it->second;
}

SpawnToken Context::add_spawn(Worker* worker) {
  const SpawnToken token = next_id_++;
  spawns_.emplace(token, worker);
  return token;
}

Worker* Context::spawn(SpawnToken token) const {
  auto it = spawns_.find(token);
  return it == spawns_.end() ? nullptr : it->second;
}

}  // namespace arbor::core
