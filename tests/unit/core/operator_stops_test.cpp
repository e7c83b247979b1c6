// Operator stops (SPEC §9): the node flag `arborctl stop` sets and start/restart clear, the
// set the core hands the host to keep (the state file) before the reply, and boot with a
// set restored from an earlier arbord.
#include <gtest/gtest.h>

#include "tests/fakes/fake_host.h"

namespace arbor::testing {
namespace {

using config::Strategy;
using core::ChildState;
using Paths = std::vector<std::string>;
using Log = std::vector<std::string>;

config::ChildSpec tree_spec(Strategy strategy = Strategy::one_for_one) {
  return root(strategy, {worker("a"), worker("b"), supervisor("s", Strategy::one_for_one, {worker("x")}),
                         worker("c"), dynamic("jobs")});
}

bool flagged(const Harness& h, const std::string& path) { return h.tree.status(path)->operator_stopped; }

TEST(OperatorStops, StopSetsTheFlagAndTheSetIsKeptBeforeTheReply) {
  Harness h(tree_spec());
  h.boot();
  EXPECT_FALSE(flagged(h, "b"));
  EXPECT_EQ(h.host.stop_saves, 0) << "nothing changed at boot: nothing written";
  Paths at_reply;
  bool replied = false;
  h.tree.stop(
      "b",
      [&](const core::OpResult& r) {
        EXPECT_TRUE(r.ok);
        at_reply = h.host.saved_stops;
        replied = true;
      },
      h.now);
  EXPECT_EQ(h.host.saved_stops, Paths{"b"}) << "kept as soon as the stop begins, before b has exited";
  h.settle();
  ASSERT_TRUE(replied);
  EXPECT_EQ(at_reply, Paths{"b"});
  EXPECT_TRUE(flagged(h, "b"));
  EXPECT_EQ(h.state("b"), ChildState::stopped);
  EXPECT_FALSE(flagged(h, "a"));
  EXPECT_EQ(h.host.stop_saves, 1);
  EXPECT_TRUE(h.stop("b").ok) << "again: nothing changes";
  EXPECT_EQ(h.host.stop_saves, 1) << "an unchanged set is not written again";
}

TEST(OperatorStops, SupervisorsAndNestedChildrenInTreeOrder) {
  Harness h(tree_spec());
  h.boot();
  ASSERT_TRUE(h.stop("c").ok);
  ASSERT_TRUE(h.stop("s/x").ok);
  ASSERT_TRUE(h.stop("s").ok);
  EXPECT_EQ(h.host.saved_stops, (Paths{"s", "s/x", "c"}));
  EXPECT_TRUE(flagged(h, "s"));
  EXPECT_EQ(h.tree.operator_stopped_paths(), (Paths{"s", "s/x", "c"}));
}

TEST(OperatorStops, StartAndRestartEndTheStop) {
  Harness h(tree_spec());
  h.boot();
  ASSERT_TRUE(h.stop("a").ok);
  ASSERT_TRUE(h.stop("b").ok);
  EXPECT_EQ(h.host.saved_stops, (Paths{"a", "b"}));
  ASSERT_TRUE(h.start("a").ok);
  EXPECT_EQ(h.host.saved_stops, Paths{"b"});
  EXPECT_FALSE(flagged(h, "a"));
  ASSERT_TRUE(h.restart("b").ok);
  EXPECT_EQ(h.host.saved_stops, Paths{});
  EXPECT_EQ(h.state("b"), ChildState::running);
}

TEST(OperatorStops, StartingASupervisorAgainEndsTheStopsBelowIt) {
  // As OTP: a supervisor that starts again starts all its configured children.
  Harness h(tree_spec());
  h.boot();
  ASSERT_TRUE(h.stop("s/x").ok);
  ASSERT_TRUE(h.stop("s").ok);
  ASSERT_TRUE(h.start("s").ok);
  EXPECT_EQ(h.state("s/x"), ChildState::running);
  EXPECT_EQ(h.host.saved_stops, Paths{});
}

TEST(OperatorStops, AGroupRestartBringsAStoppedChildBackAndEndsItsStop) {
  // rest_for_one: a's crash restarts a, b, s, c; OTP's start_children starts b too.
  Harness h(tree_spec(Strategy::rest_for_one));
  h.boot();
  ASSERT_TRUE(h.stop("b").ok);
  ASSERT_EQ(h.host.saved_stops, Paths{"b"});
  h.crash("a");
  h.settle();
  EXPECT_EQ(h.state("b"), ChildState::running);
  EXPECT_FALSE(flagged(h, "b"));
  EXPECT_EQ(h.host.saved_stops, Paths{}) << "the file must not keep a stop that no longer holds";
}

TEST(OperatorStops, ChildrenAddedAtRunTimeAreNotKept) {
  Harness h(tree_spec());
  h.boot();
  ASSERT_TRUE(h.add("/", worker("n")).ok);
  ASSERT_TRUE(h.stop("n").ok);
  EXPECT_TRUE(flagged(h, "n")) << "shown by status";
  EXPECT_EQ(h.host.stop_saves, 0) << "not in the configuration: it does not outlive arbord anyway";
  const auto added = h.add_dynamic("jobs");
  ASSERT_TRUE(added.ok);
  ASSERT_TRUE(h.stop(added.path).ok);
  EXPECT_FALSE(h.exists(added.path)) << "a dynamic child is removed when it stops";
  EXPECT_EQ(h.host.stop_saves, 0);
}

TEST(OperatorStops, RemovingAStoppedChildDropsItsStop) {
  Harness h(root(Strategy::one_for_one, {worker("a"), worker("b")}));
  h.boot();
  ASSERT_TRUE(h.stop("b").ok);
  ASSERT_TRUE(h.remove("b").ok);
  EXPECT_EQ(h.host.saved_stops, Paths{});
}

TEST(OperatorStops, AReloadThatRemovesAStoppedChildDropsItsStop) {
  Harness h(root(Strategy::one_for_one, {worker("a"), worker("b")}));
  h.boot();
  ASSERT_TRUE(h.stop("a").ok);
  ASSERT_TRUE(h.stop("b").ok);
  bool done = false;
  h.tree.apply_reload(
      root(Strategy::one_for_one, {worker("a")}),
      [&](const core::ReloadPlan&) {
        EXPECT_EQ(h.host.saved_stops, Paths{"a"}) << "kept before the reload is answered";
        done = true;
      },
      h.now);
  h.settle();
  ASSERT_TRUE(done);
  EXPECT_EQ(h.state("a"), ChildState::stopped) << "a reload keeps an operator stop";
}

TEST(OperatorStops, BootLeavesRestoredStopsStoppedInTheStartOrder) {
  Harness h(tree_spec(Strategy::rest_for_one));
  const Paths dropped = h.tree.restore_operator_stops({"b", "s/x", "gone", "/", "a/zz", "/c"});
  EXPECT_EQ(dropped, (Paths{"gone", "/", "a/zz"})) << "no such child (the root is none)";
  EXPECT_EQ(h.tree.operator_stopped_paths(), (Paths{"b", "s/x", "c"}));
  h.boot();
  EXPECT_EQ(h.outcome(), core::OutcomeKind::booted);
  EXPECT_EQ(h.take_log(), (Log{"spawn a"})) << "b, s/x and c are not started";
  for (const char* p : {"b", "s/x", "c"}) {
    EXPECT_EQ(h.state(p), ChildState::stopped) << p;
    EXPECT_TRUE(flagged(h, p)) << p;
  }
  EXPECT_EQ(h.state("s"), ChildState::running);
  EXPECT_EQ(h.host.stop_saves, 0) << "restoring is not a change";
  ASSERT_TRUE(h.start("b").ok);
  EXPECT_EQ(h.host.saved_stops, (Paths{"s/x", "c"}));
  // After boot they are like any operator stop: a's crash restarts its group (OTP).
  h.crash("a");
  h.settle();
  EXPECT_EQ(h.state("c"), ChildState::running);
  EXPECT_EQ(h.state("s/x"), ChildState::running) << "s restarted: its children start";
  EXPECT_EQ(h.host.saved_stops, Paths{});
}

TEST(OperatorStops, ARestoredSupervisorStopKeepsItsChildrenUntilItStarts) {
  Harness h(tree_spec());
  EXPECT_TRUE(h.tree.restore_operator_stops({"s", "s/x"}).empty());
  h.boot();
  EXPECT_EQ(h.state("s"), ChildState::stopped);
  EXPECT_TRUE(flagged(h, "s/x"));
  ASSERT_TRUE(h.start("s").ok);
  EXPECT_EQ(h.state("s/x"), ChildState::running) << "as after stop s/x, stop s, start s";
  EXPECT_EQ(h.host.saved_stops, Paths{});
}

}  // namespace
}  // namespace arbor::testing
