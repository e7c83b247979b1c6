// Restart intensity: max_restarts in max_seconds on an exact sliding window.
#include <gtest/gtest.h>

#include "daemon/core/restart_intensity.h"
#include "tests/fakes/fake_host.h"

namespace arbor::testing {
namespace {

TEST(RestartIntensity, AllowsExactlyMaxRestartsInWindow) {
  core::RestartIntensity r(3, 5000);
  EXPECT_TRUE(r.add(0));
  EXPECT_TRUE(r.add(1000));
  EXPECT_TRUE(r.add(2000));
  EXPECT_FALSE(r.add(3000));
}

TEST(RestartIntensity, BoundaryIsInclusiveLikeOtp) {
  core::RestartIntensity r(3, 5000);
  EXPECT_TRUE(r.add(0));
  EXPECT_TRUE(r.add(1000));
  EXPECT_TRUE(r.add(2000));
  EXPECT_FALSE(r.add(5000)) << "a restart exactly max_seconds ago still counts";
}

TEST(RestartIntensity, WindowSlides) {
  core::RestartIntensity r(3, 5000);
  EXPECT_TRUE(r.add(0));
  EXPECT_TRUE(r.add(1000));
  EXPECT_TRUE(r.add(2000));
  EXPECT_TRUE(r.add(5001)) << "the restart at 0 left the window";
  EXPECT_TRUE(r.add(6001)) << "the restart at 1000 left the window";
  EXPECT_FALSE(r.add(7000));
}

TEST(RestartIntensity, ZeroMaxRestartsGivesUpAtOnce) {
  core::RestartIntensity r(0, 5000);
  EXPECT_FALSE(r.add(0));
}

TEST(Intensity, AtTheLimitKeepsRunningOneOverGivesUp) {
  Harness h(root(config::Strategy::one_for_one, {worker("a"), worker("b")}, 3, 5));
  h.boot();
  for (int i = 0; i < 3; ++i) {
    h.crash("a");
    h.advance(100);
  }
  EXPECT_FALSE(h.outcome() == core::OutcomeKind::gave_up);
  EXPECT_EQ(h.state("a"), core::ChildState::running);
  h.take_log();
  h.crash("a");
  EXPECT_EQ(h.outcome(), core::OutcomeKind::gave_up);
  // gave_up first, then every child stopped in reverse order.
  EXPECT_EQ(h.take_log(), (std::vector<std::string>{"signal b TERM"}));
  auto lines = h.event_lines();
  auto gave = std::find(lines.begin(), lines.end(), "gave_up /");
  auto b_exit = std::find(lines.begin(), lines.end(), "exited b shutdown");
  ASSERT_NE(gave, lines.end());
  ASSERT_NE(b_exit, lines.end());
  EXPECT_LT(gave, b_exit);
}

TEST(Intensity, RestartsSpreadOverTheWindowNeverGiveUp) {
  Harness h(root(config::Strategy::one_for_one, {worker("a")}, 3, 5));
  h.boot();
  for (int i = 0; i < 20; ++i) {
    h.crash("a");
    h.advance(1700);  // at most 3 restarts in any 5 s
  }
  EXPECT_TRUE(h.host.outcomes.size() == 1 && h.outcome() == core::OutcomeKind::booted);
  EXPECT_EQ(h.restarts("a"), 20);
}

TEST(Intensity, WindowSlidesInTheTree) {
  Harness h(root(config::Strategy::one_for_one, {worker("a")}, 2, 5));
  h.boot();
  h.crash("a");  // t0
  h.advance(4000);
  h.crash("a");  // t0+4000
  h.advance(1001);
  h.crash("a");  // t0+5001: the first left the window
  EXPECT_EQ(h.state("a"), core::ChildState::running);
  h.advance(1000);
  h.crash("a");  // three within 5 s (4000, 5001, 6001)
  EXPECT_EQ(h.outcome(), core::OutcomeKind::gave_up);
}

TEST(Intensity, FailedRestartsCountAndEndInGiveUp) {
  Harness h(root(config::Strategy::one_for_one, {worker("a"), worker("b")}, 3, 5));
  h.boot();
  h.take_log();
  h.host.fail_spawn.insert("a");
  h.crash("a");
  // 3 restarts allowed, all failing; the 4th attempt goes over: no busy loop.
  EXPECT_EQ(h.take_log(), (std::vector<std::string>{"spawn a", "spawn a", "spawn a", "signal b TERM"}));
  EXPECT_EQ(h.outcome(), core::OutcomeKind::gave_up);
  EXPECT_EQ(h.restarts("a"), 3);
}

TEST(Intensity, FailedGroupRestartRetriesTheWholeGroup) {
  Harness h(root(config::Strategy::one_for_all, {worker("a"), worker("b"), worker("c")}, 2, 5));
  h.boot();
  h.take_log();
  h.host.fail_spawn.insert("b");
  h.crash("c");
  // restart 1: stop b, a; start a, b (fails) -> c not started; try again (restart 2):
  // stop a; start a, b (fails); try again: over the limit -> give up.
  EXPECT_EQ(h.take_log(), (std::vector<std::string>{"signal b TERM", "signal a TERM", "spawn a", "spawn b",
                                                    "signal a TERM", "spawn a", "spawn b", "signal a TERM"}));
  EXPECT_EQ(h.outcome(), core::OutcomeKind::gave_up);
}

TEST(Intensity, FailedRestartShowsRestartingUntilRetried) {
  Harness h(root(config::Strategy::one_for_one, {worker("a")}, 5, 5));
  h.boot();
  h.host.fail_spawn.insert("a");
  // Deliver the death without settling the retries: the core queues the retry.
  auto token = h.host.token_of("a");
  ASSERT_TRUE(token);
  h.host.procs.erase(*token);
  h.tree.on_exited(*token, core::ExitStatus::code(1), h.now);
  ASSERT_EQ(h.host.pending_spawns.size(), 1u);
  const auto t = h.host.pending_spawns.front();
  h.host.pending_spawns.pop_front();
  h.tree.on_spawn_failed(t, "exec: No such file or directory", h.now);
  // The retry was already issued (it is a message to the supervisor itself).
  EXPECT_EQ(h.state("a"), core::ChildState::starting);
  h.host.fail_spawn.clear();
  h.settle();
  EXPECT_EQ(h.state("a"), core::ChildState::running);
}

}  // namespace
}  // namespace arbor::testing
