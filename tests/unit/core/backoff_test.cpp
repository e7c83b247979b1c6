// Backoff (extension): delays, `restarting` state, and when restarts are counted.
#include <gtest/gtest.h>

#include "tests/fakes/fake_host.h"

namespace arbor::testing {
namespace {

using config::Strategy;
using Log = std::vector<std::string>;

config::ChildSpec backing(const std::string& id, std::int64_t initial = 100, std::int64_t max = 1000) {
  auto w = worker(id);
  w.worker.backoff = config::Backoff{initial, max};
  return w;
}

TEST(Backoff, DelaysDoubleUpToTheMax) {
  Harness h(root(Strategy::one_for_one, {backing("a")}, 100, 60));
  h.boot();
  std::vector<core::Millis> delays;
  for (int i = 0; i < 6; ++i) {
    h.crash("a");
    ASSERT_EQ(h.state("a"), core::ChildState::restarting);
    delays.push_back(h.host.events.back().delay_ms);
    h.advance(delays.back());
    ASSERT_EQ(h.state("a"), core::ChildState::running);
  }
  EXPECT_EQ(delays, (std::vector<core::Millis>{100, 200, 400, 800, 1000, 1000}));
}

TEST(Backoff, ResetsAfterStayingUpLongerThanMax) {
  Harness h(root(Strategy::one_for_one, {backing("a")}, 100, 60));
  h.boot();
  h.crash("a");
  h.advance(100);
  h.crash("a");
  EXPECT_EQ(h.host.events.back().delay_ms, 200);
  h.advance(200);
  h.advance(1001);  // up longer than max_ms
  h.crash("a");
  EXPECT_EQ(h.host.events.back().delay_ms, 100);
}

TEST(Backoff, StatusShowsNextRestartAt) {
  Harness h(root(Strategy::one_for_one, {backing("a", 500, 500)}));
  h.boot();
  h.crash("a");
  auto st = h.tree.status("a");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->state, core::ChildState::restarting);
  ASSERT_TRUE(st->next_restart_at);
  EXPECT_EQ(*st->next_restart_at, h.now + 500);
}

TEST(Backoff, CountedWhenTheRestartHappens) {
  // max_restarts 1 in 1 s; delays of 2 s mean restarts never meet in the window.
  Harness h(root(Strategy::one_for_one, {backing("a", 2000, 2000)}, 1, 1));
  h.boot();
  for (int i = 0; i < 5; ++i) {
    h.crash("a");
    h.advance(2000);
  }
  EXPECT_EQ(h.state("a"), core::ChildState::running);
  EXPECT_EQ(h.outcome(), core::OutcomeKind::booted);
}

TEST(Backoff, GroupWaitsAfterTheStops) {
  Harness h(root(Strategy::rest_for_one, {worker("a"), backing("b", 300, 300), worker("c")}));
  h.boot();
  h.take_log();
  h.crash("b");
  EXPECT_EQ(h.take_log(), Log{"signal c TERM"});
  EXPECT_EQ(h.state("b"), core::ChildState::restarting);
  EXPECT_EQ(h.state("c"), core::ChildState::restarting);
  h.advance(299);
  EXPECT_EQ(h.take_log(), Log{});
  h.advance(1);
  EXPECT_EQ(h.take_log(), (Log{"spawn b", "spawn c"}));
}

TEST(Backoff, OperatorStopCancelsAPendingRestart) {
  Harness h(root(Strategy::one_for_one, {backing("a", 1000, 1000)}));
  h.boot();
  h.crash("a");
  ASSERT_TRUE(h.stop("a").ok);
  h.take_log();
  h.advance(5000);
  EXPECT_EQ(h.take_log(), Log{});
  EXPECT_EQ(h.state("a"), core::ChildState::stopped);
  EXPECT_EQ(h.start("a").ok, true);
}

TEST(Backoff, StartOfARestartingChildIsRefused) {
  Harness h(root(Strategy::one_for_one, {backing("a", 1000, 1000)}));
  h.boot();
  h.crash("a");
  EXPECT_EQ(h.start("a").code, core::ErrorCode::running);
  EXPECT_EQ(h.remove("a").code, core::ErrorCode::running);
}

}  // namespace
}  // namespace arbor::testing
