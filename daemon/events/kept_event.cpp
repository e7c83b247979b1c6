#include "daemon/events/kept_event.h"

namespace arbor::events {

static_assert(sizeof(KeptEvent) <= 104, "the history keeps 10,000: keep KeptEvent small");

namespace {
enum Flag : std::uint8_t {
  kHasPid = 1,
  kHasExit = 2,
  kSignaled = 4,
  kOom = 8,
  kHealth = 16,
  kWatchdog = 32,
  kHasUid = 64,
};
}  // namespace

std::uint32_t StringTable::acquire(std::string_view text) {
  if (text.empty()) return 0;
  auto [it, fresh] = index_.try_emplace(std::string(text), 0);
  if (fresh) {
    if (free_.empty()) {
      it->second = static_cast<std::uint32_t>(entries_.size());
      entries_.emplace_back();
    } else {
      it->second = free_.back();
      free_.pop_back();
    }
    entries_[it->second] = Entry{&it->first, 0};
  }
  ++entries_[it->second].refs;
  return it->second;
}

void StringTable::release(std::uint32_t id) {
  if (id == 0 || id >= entries_.size() || entries_[id].refs == 0) return;
  Entry& entry = entries_[id];
  if (--entry.refs > 0) return;
  index_.erase(*entry.text);
  entry = Entry{};
  free_.push_back(id);
}

KeptEvent pack(std::uint64_t seq, std::int64_t micros, const core::Event& e, StringTable& strings) {
  KeptEvent k;
  k.seq = seq;
  k.micros = micros;
  k.cause = e.cause;
  k.delay_ms = e.delay_ms;
  k.bytes = e.bytes;
  k.strategy = e.strategy;
  k.command = e.command;
  k.path = strings.acquire(e.path);
  k.error = strings.acquire(e.error);
  k.failures = e.failures;
  k.plan_counts = {e.plan_counts[0], e.plan_counts[1], e.plan_counts[2], e.plan_counts[3], e.plan_counts[4]};
  k.type = static_cast<std::uint8_t>(e.type);
  k.reason = static_cast<std::uint8_t>(e.reason);
  if (e.pid) {
    k.flags |= kHasPid;
    k.pid = *e.pid;
  }
  if (e.exit) {
    k.flags |= kHasExit;
    if (e.exit->signaled) k.flags |= kSignaled;
    if (e.exit->oom) k.flags |= kOom;
    k.exit_value = e.exit->value;
  }
  if (e.uid) {
    k.flags |= kHasUid;
    k.uid = *e.uid;
  }
  if (e.health) k.flags |= kHealth;
  if (e.watchdog) k.flags |= kWatchdog;
  return k;
}

core::Event unpack(const KeptEvent& k, const StringTable& strings) {
  core::Event e;
  e.type = static_cast<core::EventType>(k.type);
  e.path = strings.at(k.path);
  if (k.flags & kHasPid) e.pid = k.pid;
  if (k.flags & kHasExit)
    e.exit = core::ExitStatus{(k.flags & kSignaled) != 0, (k.flags & kOom) != 0, k.exit_value};
  e.reason = static_cast<core::ExitReason>(k.reason);
  e.error = strings.at(k.error);
  e.failures = k.failures;
  e.health = (k.flags & kHealth) != 0;
  e.watchdog = (k.flags & kWatchdog) != 0;
  e.delay_ms = k.delay_ms;
  e.bytes = k.bytes;
  for (std::size_t i = 0; i < e.plan_counts.size(); ++i) e.plan_counts[i] = k.plan_counts[i];
  e.cause = k.cause;
  e.strategy = k.strategy;
  e.command = k.command;
  if (k.flags & kHasUid) e.uid = k.uid;
  return e;
}

void release(const KeptEvent& k, StringTable& strings) {
  strings.release(k.path);
  strings.release(k.error);
}

}  // namespace arbor::events
