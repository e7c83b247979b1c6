// EventBus: numbers every event of the tree (`seq`, docs/PROTOCOL.md), stamps its wall-clock
// time, and hands it to the subscribers (the log line, `watch` clients).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "daemon/core/types.h"

namespace arbor::events {

struct StampedEvent {
  std::uint64_t seq = 0;
  std::string time;  // RFC 3339, UTC, microseconds: "2026-11-25T15:04:15.680123Z"
  core::Event event;
};

class EventBus {
 public:
  using Listener = std::function<void(const StampedEvent&)>;

  // Returns an id for unsubscribe(). Listeners may unsubscribe (themselves or others)
  // while an event is being delivered.
  std::uint64_t subscribe(Listener listener);
  void unsubscribe(std::uint64_t id);
  void publish(const core::Event& event);
  std::uint64_t last_seq() const { return seq_; }

 private:
  std::uint64_t seq_ = 0;
  std::uint64_t next_id_ = 1;
  std::map<std::uint64_t, Listener> listeners_;
};

// Now, as RFC 3339 UTC with microseconds.
std::string rfc3339_now();
// A monotonic instant of the core (ms, libuv loop time) as RFC 3339 UTC wall time.
std::string rfc3339_from_monotonic(core::Millis instant, core::Millis monotonic_now);

}  // namespace arbor::events
