// The history's packed events (daemon/events/kept_event.h): every field of core::Event comes
// back as it went in, and a kept path is held once, given back when its last event goes.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>

#include "daemon/events/event_bus.h"

namespace arbor::testing {
namespace {

bool same(const core::Event& a, const core::Event& b) {
  return a.type == b.type && a.path == b.path && a.pid == b.pid && a.exit == b.exit && a.reason == b.reason &&
         a.error == b.error && a.failures == b.failures && a.health == b.health && a.watchdog == b.watchdog &&
         a.delay_ms == b.delay_ms && a.bytes == b.bytes && a.plan_counts == b.plan_counts &&
         a.cause == b.cause && a.strategy == b.strategy && a.command == b.command && a.uid == b.uid;
}

TEST(KeptEventTest, PackUnpackIsLossless) {
  events::StringTable strings;
  core::Event full;
  full.type = core::EventType::exited;
  full.path = "a/rather/long/path/beyond/small/string/size";
  full.pid = 1234;
  full.exit = core::ExitStatus{true, true, 9};
  full.reason = core::ExitReason::abnormal;
  full.error = "exec failed: No such file or directory";
  full.failures = 3;
  full.health = true;
  full.watchdog = true;
  full.delay_ms = 1500;
  full.bytes = 1ULL << 40;
  full.plan_counts = {1, 2, 3, 4, 5};
  full.cause = 77;
  full.strategy = "rest_for_one";
  full.command = "stop";
  full.uid = 0;
  const core::Event empty;
  for (const core::Event& e : {full, empty}) {
    const events::KeptEvent k = events::pack(9, 42, e, strings);
    EXPECT_EQ(k.seq, 9u);
    EXPECT_EQ(k.micros, 42);
    EXPECT_TRUE(same(events::unpack(k, strings), e));
    events::release(k, strings);
  }
  EXPECT_EQ(strings.size(), 0u);
}

TEST(KeptEventTest, APathIsHeldOnceAndGoesWithItsLastEvent) {
  events::EventBus bus(3);
  core::Event e;
  e.type = core::EventType::started;
  e.path = "web/a-path-longer-than-fifteen-bytes";
  for (int i = 0; i < 3; ++i) bus.publish(e);
  e.path = "db";
  bus.publish(e);
  EXPECT_EQ(bus.last_of("web/a-path-longer-than-fifteen-bytes")->seq, 3u);
  for (int i = 0; i < 2; ++i) bus.publish(e);
  EXPECT_FALSE(bus.last_of("web/a-path-longer-than-fifteen-bytes"));
  EXPECT_EQ(bus.last_of("db")->seq, 6u);
  EXPECT_EQ(bus.kept(4)->event.path, "db");
}

// The flat table against a map: ids stay stable while held, a released string is found no
// more, and lookups still find every held string after deletions shifted the index.
TEST(KeptEventTest, TheStringTableFindsWhatItHoldsThroughGrowthAndDeletion) {
  events::StringTable strings;
  std::map<std::string, std::pair<std::uint32_t, int>> held;  // text -> id, refs
  std::mt19937 random(7);
  for (int step = 0; step < 20000; ++step) {
    const std::string text = "w/" + std::to_string(random() % 3000);
    if (random() % 3 != 0) {
      const std::uint32_t id = strings.acquire(text);
      auto [it, fresh] = held.try_emplace(text, id, 0);
      ASSERT_EQ(it->second.first, id) << text;
      ++it->second.second;
    } else if (auto it = held.find(text); it != held.end()) {
      strings.release(it->second.first);
      if (--it->second.second == 0) held.erase(it);
    }
    if (step % 1000 == 0) {
      ASSERT_EQ(strings.size(), held.size());
      for (const auto& [t, entry] : held) {
        ASSERT_EQ(strings.find(t), std::optional<std::uint32_t>(entry.first)) << t;
        ASSERT_EQ(strings.at(entry.first), t);
      }
      for (int i = 0; i < 3000; ++i) {
        const std::string t = "w/" + std::to_string(i);
        ASSERT_EQ(strings.find(t).has_value(), held.count(t) == 1) << t;
      }
    }
  }
  for (const auto& [t, entry] : held)
    for (int i = 0; i < entry.second; ++i) strings.release(entry.first);
  EXPECT_EQ(strings.size(), 0u);
  EXPECT_FALSE(strings.find("w/1"));
}

TEST(KeptEventTest, AStringsMarkGoesWithTheString) {
  events::StringTable strings;
  const std::uint32_t id = strings.acquire("web");
  strings.set_mark(id, 42);
  EXPECT_EQ(strings.mark(id), 42u);
  strings.release(id);
  EXPECT_EQ(strings.mark(strings.acquire("web")), 0u);
}

}  // namespace
}  // namespace arbor::testing
