// EventBus: numbers every event of the tree (`seq`, docs/PROTOCOL.md), stamps its wall-clock
// time, keeps the last ones (the history `watch --since` replays and `why` walks), and hands
// each to the subscribers (the log line, `watch` clients).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "daemon/core/types.h"
#include "daemon/events/kept_event.h"

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

  // The ring's storage is reserved once (address space; pages are touched only as events
  // fill them).
  explicit EventBus(std::size_t keep = kKeep) : keep_(keep > 0 ? keep : 1) { history_.reserve(keep_); }

  // Returns an id for unsubscribe(). Listeners may unsubscribe (themselves or others)
  // while an event is being delivered.
  std::uint64_t subscribe(Listener listener);
  void unsubscribe(std::uint64_t id);
  // Numbers, stamps, keeps and delivers `event`; answers its seq (Host::emit's answer).
  std::uint64_t publish(const core::Event& event);
  std::uint64_t last_seq() const { return seq_; }
  // How many events of each type were published since arbord started (`metrics`:
  // arbor_events_total), indexed by the enum's value: an array, not a map, since every
  // publish counts. A type never seen counts 0.
  static constexpr std::size_t kEventTypes = static_cast<std::size_t>(core::EventType::command) + 1;
  using Counts = std::array<std::uint64_t, kEventTypes>;
  const Counts& counts() const { return counts_; }

  // The history: the last `keep` events, oldest first, found by seq in O(1). An event is
  // kept before any listener sees it, so a listener may read the history up to it.
  // oldest_kept() is last_seq() + 1 when nothing is kept. Kept packed (kept_event.h):
  // kept() answers a copy, unpacked.
  std::uint64_t oldest_kept() const { return seq_ + 1 - history_.size(); }
  std::optional<StampedEvent> kept(std::uint64_t seq) const;
  // The newest kept `started`, `exited` or `gave_up` event of `path` (what `why` explains),
  // or nullopt. O(1): a map of path to seq, updated on publish, its entry dropped once the
  // event leaves the history.
  std::optional<StampedEvent> last_of(const std::string& path) const;
  // reexec: the numbering and the history of the program before (oldest first, the last
  // one numbered `seq`), so seq goes on and `watch --since` and `why` work across the exec.
  void restore(std::uint64_t seq, const std::vector<StampedEvent>& history);

 private:
  static bool explained(core::EventType type);

  std::size_t keep_;
  // A ring: event seq S lives at (S - base_) % keep_ (a vector, not a deque: no per-block slack).
  // The ring: the event numbered s sits at (s - base_) % keep_. base_ is 1, or after a
  // reexec the oldest event the program before kept (restore()).
  std::uint64_t base_ = 1;
  std::vector<KeptEvent> history_;
  // The kept events' strings; each path's mark is the seq of its last explained event
  // (last_of), 0 once that event has left the history.
  StringTable strings_;
  std::uint64_t seq_ = 0;
  std::uint64_t next_id_ = 1;
  std::map<std::uint64_t, Listener> listeners_;
  Counts counts_{};
};

// Now, as RFC 3339 UTC with microseconds.
std::string rfc3339_now();
// A monotonic instant of the core (ms, libuv loop time) as RFC 3339 UTC wall time.
std::string rfc3339_from_monotonic(core::Millis instant, core::Millis monotonic_now);

}  // namespace arbor::events
