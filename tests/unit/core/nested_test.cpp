// Give-up escalation through a three-level tree, with the top under each strategy.
#include <gtest/gtest.h>

#include "tests/fakes/fake_host.h"

namespace arbor::testing {
namespace {

using config::RestartType;
using config::Strategy;
using Log = std::vector<std::string>;

config::ChildSpec mid(RestartType type = RestartType::permanent) {
  auto m = supervisor("mid", Strategy::one_for_one, {worker("x"), worker("y")}, 1, 5);
  m.restart = type;
  return m;
}

void exhaust_mid(Harness& h) {
  h.crash("mid/x");
  h.crash("mid/x");  // second restart in 5 s with max_restarts 1: mid gives up
}

TEST(Nested, MiddleGivesUpAndTopRestartsItOneForOne) {
  Harness h(root(Strategy::one_for_one, {worker("first"), mid(), worker("last")}));
  h.boot();
  h.take_log();
  exhaust_mid(h);
  EXPECT_EQ(h.take_log(), (Log{"spawn mid/x", "signal mid/y TERM", "spawn mid/x", "spawn mid/y"}));
  auto lines = h.event_lines();
  EXPECT_NE(std::find(lines.begin(), lines.end(), "gave_up mid"), lines.end());
  EXPECT_NE(std::find(lines.begin(), lines.end(), "exited mid shutdown"), lines.end());
  EXPECT_NE(std::find(lines.begin(), lines.end(), "restarting mid 0"), lines.end());
  EXPECT_EQ(h.state("mid"), core::ChildState::running);
  EXPECT_EQ(h.restarts("mid"), 1);
  EXPECT_EQ(h.outcome(), core::OutcomeKind::booted);
}

TEST(Nested, MiddleGivesUpUnderOneForAll) {
  Harness h(root(Strategy::one_for_all, {worker("first"), mid(), worker("last")}));
  h.boot();
  h.take_log();
  exhaust_mid(h);
  EXPECT_EQ(h.take_log(), (Log{"spawn mid/x", "signal mid/y TERM", "signal last TERM", "signal first TERM",
                               "spawn first", "spawn mid/x", "spawn mid/y", "spawn last"}));
}

TEST(Nested, MiddleGivesUpUnderRestForOne) {
  Harness h(root(Strategy::rest_for_one, {worker("first"), mid(), worker("last")}));
  h.boot();
  h.take_log();
  exhaust_mid(h);
  EXPECT_EQ(h.take_log(), (Log{"spawn mid/x", "signal mid/y TERM", "signal last TERM", "spawn mid/x",
                               "spawn mid/y", "spawn last"}));
}

TEST(Nested, TransientSupervisorThatGaveUpIsNotRestarted) {
  Harness h(root(Strategy::one_for_one, {worker("first"), mid(RestartType::transient), worker("last")}));
  h.boot();
  h.take_log();
  exhaust_mid(h);
  EXPECT_EQ(h.take_log(), (Log{"spawn mid/x", "signal mid/y TERM"}));
  EXPECT_EQ(h.state("mid"), core::ChildState::stopped);
  EXPECT_EQ(h.state("first"), core::ChildState::running);
}

TEST(Nested, GiveUpClimbsToTheRootAndEndsTheTree) {
  // Top allows no restart: mid's give-up makes the root give up too (exit status 3).
  Harness h(root(Strategy::one_for_one, {worker("first"), mid(), worker("last")}, 0, 5));
  h.boot();
  h.take_log();
  exhaust_mid(h);
  EXPECT_EQ(h.take_log(), (Log{"spawn mid/x", "signal mid/y TERM", "signal last TERM", "signal first TERM"}));
  EXPECT_EQ(h.outcome(), core::OutcomeKind::gave_up);
}

TEST(Nested, RestartedSupervisorStartsFromItsConfiguredChildren) {
  auto m = mid();
  m.supervisor->children.push_back(worker("t", RestartType::temporary));
  Harness h(root(Strategy::one_for_one, {m}));
  h.boot();
  ASSERT_TRUE(h.add("mid", worker("extra")).ok);
  h.crash("mid/t");  // temporary: removed
  EXPECT_FALSE(h.exists("mid/t"));
  h.take_log();
  exhaust_mid(h);
  // mid came back with x, y and t (configured), without extra (added at run time).
  EXPECT_TRUE(h.exists("mid/t"));
  EXPECT_FALSE(h.exists("mid/extra"));
  EXPECT_EQ(h.state("mid/t"), core::ChildState::running);
}

}  // namespace
}  // namespace arbor::testing
