// EventBus: numbers every event of the tree (`seq`, docs/PROTOCOL.md), stamps its wall-clock
// time, keeps the last ones (the history `watch --since` replays and `why` walks), and hands
// each to the subscribers (the log line, `watch` clients).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>

#include "daemon/core/types.h"

namespace arbor::events {

struct StampedEvent {
  std::uint64_t seq = 0;
  std::int64_t micros = 0;  // wall time, µs since the epoch (kept as a number: 10,000 are kept)
  core::Event event;
  // RFC 3339, UTC, microseconds: "2026-11-25T15:04:15.680123Z"
  std::string time() const;
};

class EventBus {
 public:
  using Listener = std::function<void(const StampedEvent&)>;
  static constexpr std::size_t kKeep = 10000;  // docs/PROTOCOL.md "History"

  explicit EventBus(std::size_t keep = kKeep) : keep_(keep > 0 ? keep : 1) {}

  // Returns an id for unsubscribe(). Listeners may unsubscribe (themselves or others)
  // while an event is being delivered.
  std::uint64_t subscribe(Listener listener);
  void unsubscribe(std::uint64_t id);
  void publish(const core::Event& event);
  std::uint64_t last_seq() const { return seq_; }

  // The history: the last `keep` events, oldest first, found by seq in O(1). An event is
  // kept before any listener sees it, so a listener may read the history up to it.
  // oldest_kept() is last_seq() + 1 when nothing is kept.
  std::uint64_t oldest_kept() const { return seq_ + 1 - history_.size(); }
  const StampedEvent* kept(std::uint64_t seq) const;
  // reexec: the numbering and the history of the program before (oldest first, the last
  // one numbered `seq`), so seq goes on and `watch --since` replays across the exec.
  void restore(std::uint64_t seq, std::deque<StampedEvent> history) {
    seq_ = seq;
    history_ = std::move(history);
    while (history_.size() > keep_) history_.pop_front();
  }

 private:
  std::size_t keep_;
  std::deque<StampedEvent> history_;
  std::uint64_t seq_ = 0;
  std::uint64_t next_id_ = 1;
  std::map<std::uint64_t, Listener> listeners_;
};

// Now, as RFC 3339 UTC with microseconds.
std::string rfc3339_now();
// A monotonic instant of the core (ms, libuv loop time) as RFC 3339 UTC wall time.
std::string rfc3339_from_monotonic(core::Millis instant, core::Millis monotonic_now);

}  // namespace arbor::events
