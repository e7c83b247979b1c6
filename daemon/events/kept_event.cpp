#include "daemon/events/kept_event.h"

#include <cstring>
#include <type_traits>

namespace arbor::events {

static_assert(sizeof(KeptEvent) <= 48, "the history keeps 10,000: keep KeptEvent small");

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

// The rare fields, as the bytes of one table string. strategy and command are static
// strings: their addresses are the same for the life of the program.
struct Extra {
  core::Millis delay_ms = 0;
  std::uint64_t bytes = 0;
  const char* strategy = nullptr;
  const char* command = nullptr;
  std::uint32_t uid = 0;
  std::int32_t failures = 0;
  std::array<std::int32_t, 5> plan_counts{};
  std::int32_t unused = 0;  // no padding: the bytes are compared whole
};
static_assert(std::has_unique_object_representations_v<Extra>, "Extra is compared as bytes");

Extra extra_of(const core::Event& e) {
  Extra x;
  x.delay_ms = e.delay_ms;
  x.bytes = e.bytes;
  x.strategy = e.strategy;
  x.command = e.command;
  x.uid = e.uid.value_or(0);
  x.failures = e.failures;
  for (std::size_t i = 0; i < x.plan_counts.size(); ++i) x.plan_counts[i] = e.plan_counts[i];
  return x;
}

bool is_set(const Extra& x) {
  if (x.delay_ms != 0 || x.bytes != 0 || x.strategy != nullptr || x.command != nullptr || x.uid != 0 ||
      x.failures != 0)
    return true;
  for (const std::int32_t c : x.plan_counts)
    if (c != 0) return true;
  return false;
}
}  // namespace

KeptEvent pack(std::uint64_t seq, std::int64_t micros, const core::Event& e, StringTable& strings) {
  KeptEvent k;
  k.seq = seq;
  k.micros = micros;
  k.cause = e.cause;
  k.path = strings.acquire(e.path);
  k.error = strings.acquire(e.error);
  const Extra x = extra_of(e);
  if (is_set(x)) k.extra = strings.acquire(std::string_view(reinterpret_cast<const char*>(&x), sizeof x));
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
  if (e.uid) k.flags |= kHasUid;
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
  e.health = (k.flags & kHealth) != 0;
  e.watchdog = (k.flags & kWatchdog) != 0;
  e.cause = k.cause;
  Extra x;
  if (k.extra != 0) std::memcpy(static_cast<void*>(&x), strings.at(k.extra).data(), sizeof x);
  e.failures = x.failures;
  e.delay_ms = x.delay_ms;
  e.bytes = x.bytes;
  for (std::size_t i = 0; i < e.plan_counts.size(); ++i) e.plan_counts[i] = x.plan_counts[i];
  e.strategy = x.strategy;
  e.command = x.command;
  if (k.flags & kHasUid) e.uid = x.uid;
  return e;
}

void release(const KeptEvent& k, StringTable& strings) {
  strings.release(k.path);
  strings.release(k.error);
  strings.release(k.extra);
}

}  // namespace arbor::events
