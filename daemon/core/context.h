// Context: what every node of the tree shares — the host, the current time, the event
// queue that keeps handling non-re-entrant, timers, and the registries that turn ids and
// tokens back into nodes (so queued work never holds a dangling pointer).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <unordered_map>

#include "daemon/core/host.h"
#include "daemon/core/types.h"

namespace arbor::core {

class Node;
class Worker;
using NodeId = std::uint64_t;

class Context {
 public:
  explicit Context(Host& host) : host_(host) {}

  Host& host() { return host_; }
  Millis now() const { return now_; }
  void set_now(Millis now) { now_ = now; }

  // Queues `fn`; it runs after the handler that queued it has returned (never nested).
  void post(std::function<void()> fn) { queue_.push_back(std::move(fn)); }
  // Runs queued work until none is left. Re-entrant calls return at once.
  void drain();

  // Runs `fn` (through the queue) `delay` ms from now. Returns a token for cancel().
  TimerToken arm(Millis delay, std::function<void()> fn);
  // Cancels the timer if armed and sets `token` to 0.
  void cancel(TimerToken& token);
  void fire(TimerToken token);

  NodeId add_node(Node* node);
  void remove_node(NodeId id) { nodes_.erase(id); }
  Node* node(NodeId id) const;

  SpawnToken add_spawn(Worker* worker);
  void remove_spawn(SpawnToken token) { spawns_.erase(token); }
  Worker* spawn(SpawnToken token) const;
  // reexec (snapshot.h): a worker keeps the token its process was started with, and new
  // ids start past every old one.
  void adopt_spawn(SpawnToken token, Worker* worker) { spawns_.emplace(token, worker); }
  std::uint64_t next_id() const { return next_id_; }
  void skip_ids_to(std::uint64_t next) {
    if (next > next_id_) next_id_ = next;
  }
  bool idle() const { return queue_.empty(); }

  void emit(const Event& event) { host_.emit(event); }

 private:
  Host& host_;
  Millis now_ = 0;
  bool draining_ = false;
  std::deque<std::function<void()>> queue_;
  std::uint64_t next_id_ = 1;
  std::unordered_map<TimerToken, std::function<void()>> timers_;
  std::unordered_map<NodeId, Node*> nodes_;
  std::unordered_map<SpawnToken, Worker*> spawns_;
};

}  // namespace arbor::core
