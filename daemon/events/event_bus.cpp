#include "daemon/events/event_bus.h"

#include <chrono>
#include <ctime>
#include <vector>

#include <fmt/format.h>

namespace arbor::events {

namespace {
std::string format_micros(std::int64_t micros_since_epoch) {
  const std::time_t secs = static_cast<std::time_t>(micros_since_epoch / 1000000);
  const auto micros = static_cast<long>(micros_since_epoch % 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, micros);
}

std::int64_t wall_micros() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}
}  // namespace

std::string StampedEvent::time() const { return format_micros(micros); }

std::uint64_t EventBus::subscribe(Listener listener) {
  const std::uint64_t id = next_id_++;
  listeners_.emplace(id, std::move(listener));
  return id;
}

void EventBus::unsubscribe(std::uint64_t id) { listeners_.erase(id); }

std::optional<StampedEvent> EventBus::kept(std::uint64_t seq) const {
  if (seq < oldest_kept() || seq > seq_) return std::nullopt;
  const KeptEvent& k = history_[(seq - base_) % keep_];
  return StampedEvent{k.seq, k.micros, unpack(k, strings_)};
}

void EventBus::restore(std::uint64_t seq, const std::vector<StampedEvent>& history) {
  seq_ = seq;
  for (const KeptEvent& k : history_) release(k, strings_);
  history_.clear();
  strings_.clear_marks();
  base_ = seq + 1;
  // Only a history numbered one by one up to `seq` can be a ring; anything else is dropped.
  for (std::size_t i = 0; i < history.size(); ++i) {
    if (history[i].seq != seq + 1 - history.size() + i) return;
  }
  const std::size_t from = history.size() > keep_ ? history.size() - keep_ : 0;
  if (from < history.size()) base_ = history[from].seq;
  for (std::size_t i = from; i < history.size(); ++i) {
    const KeptEvent& k =
        history_.emplace_back(pack(history[i].seq, history[i].micros, history[i].event, strings_));
    if (explained(history[i].event.type)) strings_.set_mark(k.path, k.seq);
  }
}

bool EventBus::explained(core::EventType type) {
  switch (type) {
    case core::EventType::started:
    case core::EventType::exited:
    case core::EventType::gave_up:
      return true;
    case core::EventType::start_failed:
    case core::EventType::restarting:
    case core::EventType::added:
    case core::EventType::removed:
    case core::EventType::reloaded:
    case core::EventType::log_dropped:
    case core::EventType::unhealthy:
    case core::EventType::command:
      return false;
  }
  return false;
}

std::optional<StampedEvent> EventBus::last_of(const std::string& path) const {
  const auto id = strings_.find(path);
  if (!id) return std::nullopt;
  const std::uint64_t seq = strings_.mark(*id);
  return seq == 0 ? std::nullopt : kept(seq);
}

std::uint64_t EventBus::publish(const core::Event& event) {
  ++counts_[static_cast<std::size_t>(event.type)];
  ++seq_;
  const StampedEvent stamped{seq_, wall_micros(), event};
  KeptEvent* slot = nullptr;
  if (history_.size() < keep_) {
    slot = &history_.emplace_back();  // within the reserved capacity
  } else {
    slot = &history_[(seq_ - base_) % keep_];  // the oldest kept, now dropped
    if (explained(static_cast<core::EventType>(slot->type)) && strings_.mark(slot->path) == slot->seq)
      strings_.set_mark(slot->path, 0);
    release(*slot, strings_);
  }
  *slot = pack(stamped.seq, stamped.micros, event, strings_);
  if (explained(event.type)) strings_.set_mark(slot->path, seq_);
  // Listeners get this copy (they may publish: the slot may be reused only `keep_` events later,
  // but the copy does not depend on it).
  // Copy the ids first: a listener may unsubscribe during delivery.
  std::vector<std::uint64_t> ids;
  ids.reserve(listeners_.size());
  for (const auto& [id, fn] : listeners_) ids.push_back(id);
  for (std::uint64_t id : ids) {
    auto it = listeners_.find(id);
    if (it != listeners_.end()) it->second(stamped);
  }
  return stamped.seq;
}

std::string rfc3339_now() { return format_micros(wall_micros()); }

std::string rfc3339_from_monotonic(core::Millis instant, core::Millis monotonic_now) {
  return format_micros(wall_micros() - (monotonic_now - instant) * 1000);
}

}  // namespace arbor::events
