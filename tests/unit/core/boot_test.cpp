// Ordered start gated on readiness, and failed boot.
#include <gtest/gtest.h>

#include "tests/fakes/fake_host.h"

namespace arbor::testing {
namespace {

using Log = std::vector<std::string>;
using config::Strategy;

config::ChildSpec ready_worker(const std::string& id, std::int64_t timeout_ms = 30000) {
  auto w = worker(id);
  w.worker.ready.kind = config::Ready::Kind::notify;
  w.worker.ready.timeout_ms = timeout_ms;
  return w;
}

TEST(Boot, StartsInOrderAndReportsBooted) {
  Harness h(
      root(Strategy::one_for_one,
           {worker("a"), supervisor("s", Strategy::one_for_one, {worker("x"), worker("y")}), worker("b")}));
  h.boot();
  EXPECT_EQ(h.take_log(), (Log{"spawn a", "spawn s/x", "spawn s/y", "spawn b"}));
  EXPECT_EQ(h.outcome(), core::OutcomeKind::booted);
  auto lines = h.event_lines();
  EXPECT_EQ(lines, (Log{"started a", "started s/x", "started s/y", "started s", "started b", "started /"}));
}

TEST(Boot, NextChildWaitsForReadiness) {
  Harness h(root(Strategy::one_for_one, {ready_worker("a"), worker("b")}));
  h.host.auto_ready = false;
  h.boot();
  EXPECT_EQ(h.take_log(), Log{"spawn a"});
  EXPECT_EQ(h.state("a"), core::ChildState::starting);
  EXPECT_EQ(h.state("/"), core::ChildState::starting);
  EXPECT_FALSE(h.outcome().has_value());
  h.ready("a");
  EXPECT_EQ(h.take_log(), Log{"spawn b"});
  EXPECT_EQ(h.outcome(), core::OutcomeKind::booted);
}

TEST(Boot, ReadinessTimeoutFailsTheStartAndKillsTheProcess) {
  Harness h(root(Strategy::one_for_one, {worker("a"), ready_worker("r", 2000), worker("b")}));
  h.host.auto_ready = false;
  h.boot();
  h.take_log();
  h.advance(1999);
  EXPECT_EQ(h.take_log(), Log{});
  h.advance(1);
  EXPECT_EQ(h.take_log(), (Log{"signal r KILL", "signal a TERM"}));
  ASSERT_EQ(h.host.outcomes.size(), 1u);
  EXPECT_EQ(h.host.outcomes[0].kind, core::OutcomeKind::boot_failed);
  EXPECT_EQ(h.host.outcomes[0].path, "r");
  EXPECT_EQ(h.host.outcomes[0].error, "ready: timed out after 2000 ms");
}

TEST(Boot, ExitBeforeReadyIsAStartFailure) {
  Harness h(root(Strategy::one_for_one, {ready_worker("r")}));
  h.host.auto_ready = false;
  h.boot();
  h.exit("r", core::ExitStatus::code(7));
  ASSERT_EQ(h.outcome(), core::OutcomeKind::boot_failed);
  EXPECT_EQ(h.host.outcomes.back().error, "exited before ready: exit code 7");
}

TEST(Boot, FailedBootStopsWhatStartedInReverseAndNamesTheChild) {
  Harness h(
      root(Strategy::one_for_one,
           {worker("a"), supervisor("s", Strategy::one_for_one, {worker("x"), worker("y")}), worker("b")}));
  h.host.fail_spawn.insert("s/y");
  h.boot();
  EXPECT_EQ(h.take_log(), (Log{"spawn a", "spawn s/x", "spawn s/y", "signal s/x TERM", "signal a TERM"}));
  ASSERT_EQ(h.host.outcomes.size(), 1u);
  EXPECT_EQ(h.host.outcomes[0].kind, core::OutcomeKind::boot_failed);
  EXPECT_EQ(h.host.outcomes[0].path, "s/y");
  EXPECT_EQ(h.host.outcomes[0].error, "exec: No such file or directory");
  EXPECT_EQ(h.state("a"), core::ChildState::stopped);
  EXPECT_EQ(h.state("b"), core::ChildState::stopped);
}

TEST(Boot, EmptyTreeBoots) {
  Harness h(root(Strategy::one_for_one, {}));
  h.boot();
  EXPECT_EQ(h.outcome(), core::OutcomeKind::booted);
}

TEST(Boot, ExitDuringBootIsHandledAfterTheBoot) {
  Harness h(root(Strategy::one_for_one, {worker("a"), ready_worker("r")}));
  h.host.auto_ready = false;
  h.boot();
  h.take_log();
  h.crash("a");  // while r is still starting
  EXPECT_EQ(h.take_log(), Log{});
  h.ready("r");
  EXPECT_EQ(h.take_log(), Log{"spawn a"});
}

TEST(Boot, ShutdownDuringBootStopsTheStartingChild) {
  Harness h(root(Strategy::one_for_one, {worker("a"), ready_worker("r"), worker("b")}));
  h.host.auto_ready = false;
  h.boot();
  h.take_log();
  h.tree.shutdown(h.now);
  h.settle();
  EXPECT_EQ(h.take_log(), (Log{"signal r TERM", "signal a TERM"}));
  EXPECT_EQ(h.outcome(), core::OutcomeKind::stopped);
}

}  // namespace
}  // namespace arbor::testing
