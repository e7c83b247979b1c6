// The event history (EventBus) and `watch --since`: replay then follow, no gap and no
// duplicate, refusals naming what is kept, and flow control for slow readers.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "daemon/events/event_bus.h"
#include "tests/fakes/fake_daemon.h"

namespace arbor::testing {
namespace {

using nlohmann::json;

using HistoryTest = Fixture;

// Publishes n events of `path` straight into the bus (a fast way past the history's size).
void publish(events::EventBus& bus, int n, const std::string& path = "db") {
  core::Event e;
  e.type = core::EventType::started;
  e.path = path;
  for (int i = 0; i < n; ++i) {
    e.pid = 1000 + i;
    bus.publish(e);
  }
}

std::vector<std::uint64_t> seqs(const std::vector<json>& lines) {
  std::vector<std::uint64_t> out;
  for (const json& l : lines)
    if (l.contains("seq")) out.push_back(l["seq"].get<std::uint64_t>());
  return out;
}

std::vector<std::uint64_t> range(std::uint64_t first, std::uint64_t last) {
  std::vector<std::uint64_t> out;
  for (std::uint64_t s = first; s <= last; ++s) out.push_back(s);
  return out;
}

TEST(EventBusHistory, KeepsTheLastEventsFoundBySeq) {
  events::EventBus bus(3);
  EXPECT_EQ(bus.oldest_kept(), 1u);  // nothing kept: one past the newest
  EXPECT_FALSE(bus.kept(1));
  publish(bus, 5);
  EXPECT_EQ(bus.last_seq(), 5u);
  EXPECT_EQ(bus.oldest_kept(), 3u);
  EXPECT_FALSE(bus.kept(2));
  ASSERT_TRUE(bus.kept(3));
  EXPECT_EQ(bus.kept(3)->seq, 3u);
  EXPECT_EQ(bus.kept(3)->event.pid, 1002);
  EXPECT_EQ(bus.kept(5)->seq, 5u);
  EXPECT_FALSE(bus.kept(6));
}

TEST(EventBusHistory, AListenerSeesItsEventAlreadyKept) {
  events::EventBus bus(2);
  int checked = 0;
  bus.subscribe([&](const events::StampedEvent& e) {
    const auto kept = bus.kept(e.seq);
    ASSERT_TRUE(kept);
    EXPECT_EQ(kept->seq, e.seq);
    EXPECT_EQ(kept->event.pid, e.event.pid);
    ++checked;
  });
  publish(bus, 4);
  EXPECT_EQ(checked, 4);
}

TEST_F(HistoryTest, SinceReplaysTheKeptEventsThenFollowsWithNoGapAndNoDuplicate) {
  h.crash("db");
  daemon.pump();
  const std::uint64_t last = daemon.bus.last_seq();
  ASSERT_GE(last, 3u);
  take_lines();
  EXPECT_TRUE(request("watch", {{"since", 1}})["ok"].get<bool>());
  auto replay = take_lines();
  EXPECT_EQ(seqs(replay), range(2, last));
  h.crash("db");
  daemon.pump();
  const std::uint64_t newest = daemon.bus.last_seq();
  EXPECT_EQ(seqs(take_lines()), range(last + 1, newest));
  // since = the newest seq: nothing to replay, live from there on.
  EXPECT_TRUE(request("watch", {{"since", newest}})["ok"].get<bool>());
  EXPECT_TRUE(seqs(take_lines()).empty());
}

TEST_F(HistoryTest, SinceZeroReplaysEverythingWhileNothingWasDropped) {
  const std::uint64_t last = daemon.bus.last_seq();
  ASSERT_GE(last, 1u);  // the boot's events
  take_lines();
  EXPECT_TRUE(request("watch", {{"since", 0}})["ok"].get<bool>());
  auto lines = take_lines();
  EXPECT_EQ(seqs(lines), range(1, last));
  EXPECT_EQ(lines[1]["event"], "started");
}

TEST_F(HistoryTest, SinceRefusalsNameWhatIsKept) {
  const std::uint64_t last = daemon.bus.last_seq();
  json future = request("watch", {{"since", last + 5}});
  EXPECT_EQ(error_code(future), "not_found");
  EXPECT_NE(future["error"]["message"].get<std::string>().find("the newest is " + std::to_string(last)),
            std::string::npos);
  EXPECT_EQ(error_code(request("watch", {{"since", -1}})), "bad_request");
  EXPECT_EQ(error_code(request("watch", {{"since", "x"}})), "bad_request");
  EXPECT_EQ(error_code(request("watch", {{"sinse", 3}})), "bad_request");

  publish(daemon.bus, static_cast<int>(events::EventBus::kKeep));
  const std::uint64_t oldest = daemon.bus.oldest_kept();
  ASSERT_GT(oldest, 2u);
  json old = request("watch", {{"since", oldest - 2}});
  EXPECT_EQ(error_code(old), "not_found");
  EXPECT_NE(old["error"]["message"].get<std::string>().find("the oldest kept is " + std::to_string(oldest)),
            std::string::npos);
  // The one just before the oldest kept is fine: everything after it is kept.
  take_lines();
  EXPECT_TRUE(request("watch", {{"since", oldest - 1}})["ok"].get<bool>());
  EXPECT_EQ(seqs(take_lines()), range(oldest, daemon.bus.last_seq()));
}

TEST_F(HistoryTest, AReplayWaitsForASlowReaderAndLosesNothing) {
  publish(daemon.bus, 100);
  const std::uint64_t first = daemon.bus.oldest_kept();
  take_lines();
  session->unsent = 1 << 20;  // the client has not read a megabyte yet
  EXPECT_TRUE(request("watch", {{"since", first - 1}})["ok"].get<bool>());
  EXPECT_TRUE(seqs(take_lines()).empty()) << "nothing more is queued for a client that does not read";
  publish(daemon.bus, 50);  // live events meanwhile: they queue behind the replay
  EXPECT_TRUE(seqs(take_lines()).empty());
  session->drain();
  EXPECT_EQ(seqs(take_lines()), range(first, daemon.bus.last_seq()));
  EXPECT_EQ(session->hung_up, 0);
}

TEST_F(HistoryTest, AClientThatFallsOutOfTheHistoryIsHungUpOn) {
  take_lines();
  EXPECT_TRUE(request("watch", json::object())["ok"].get<bool>());
  session->unsent = 1 << 20;
  publish(daemon.bus, static_cast<int>(events::EventBus::kKeep) - 1);
  EXPECT_EQ(session->hung_up, 0) << "its next event is still kept";
  publish(daemon.bus, 2);
  EXPECT_EQ(session->hung_up, 1);
}

}  // namespace
}  // namespace arbor::testing
