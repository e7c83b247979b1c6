// Context: what every node of the tree shares — the host, the current time, the event
// queue that keeps handling non-re-entrant, timers, the registries that turn ids and
// tokens back into nodes (so queued work never holds a dangling pointer), and the current
// cause.
//
// Causes (docs/DESIGN.md "Causes"): `cause()` is the seq of the event the core is reacting
// to, 0 for a root cause. emit() stamps it on the event and makes the event itself the
// current cause; post() and arm() remember the cause of the moment and restore it when the
// work runs, so a decision taken later (a queued notification, a backoff timer) still
// points at what led to it. Nodes keep the cause of a start or stop they were asked for
// and restore it when the host answers (Worker::cause()). O(1) per event.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <unordered_map>
#include <utility>

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

  // Queues `fn`; it runs after the handler that queued it has returned (never nested),
  // with the current cause of now.
  void post(std::function<void()> fn) { queue_.push_back(Queued{std::move(fn), cause_}); }
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

  // The seq of the event being reacted to (0: a root cause).
  std::uint64_t cause() const { return cause_; }
  void set_cause(std::uint64_t cause) { cause_ = cause; }
  // Stamps the current cause on `event`, publishes it, and makes it the current cause.
  std::uint64_t emit(Event event) {
    event.cause = cause_;
    cause_ = host_.emit(event);
    return cause_;
  }

  // The set of operator-stopped children may have changed (a flag set or cleared, a flagged
  // node gone): SupervisorTree hands the new set to the host before its next reply.
  void stops_changed() { stops_changed_ = true; }
  bool take_stops_changed() { return std::exchange(stops_changed_, false); }
  // From boot() until the root has started (or failed to): a supervisor's first start then
  // keeps the operator stops restored from the state file.
  bool booting() const { return booting_; }
  void set_booting(bool on) { booting_ = on; }

 private:
  Host& host_;
  Millis now_ = 0;
  bool draining_ = false;
  std::uint64_t cause_ = 0;
  bool stops_changed_ = false;
  bool booting_ = false;
  struct Queued {
    std::function<void()> fn;
    std::uint64_t cause = 0;
  };
  std::deque<Queued> queue_;
  std::uint64_t next_id_ = 1;
  std::unordered_map<TimerToken, Queued> timers_;
  std::unordered_map<NodeId, Node*> nodes_;
  std::unordered_map<SpawnToken, Worker*> spawns_;
};

}  // namespace arbor::core
