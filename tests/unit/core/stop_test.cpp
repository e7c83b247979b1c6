// Shutdown: reverse order, and each child's `shutdown` honoured.
#include <gtest/gtest.h>

#include "tests/fakes/fake_host.h"

namespace arbor::testing {
namespace {

using config::Shutdown;
using config::Strategy;
using Log = std::vector<std::string>;

TEST(Stop, TreeStopsInReverseOrderDepthFirst) {
  Harness h(
      root(Strategy::one_for_one,
           {worker("a"), supervisor("s", Strategy::one_for_one, {worker("x"), worker("y")}), worker("b")}));
  h.boot();
  h.take_log();
  h.tree.shutdown(h.now);
  h.settle();
  EXPECT_EQ(h.take_log(), (Log{"signal b TERM", "signal s/y TERM", "signal s/x TERM", "signal a TERM"}));
  EXPECT_EQ(h.outcome(), core::OutcomeKind::stopped);
  EXPECT_EQ(h.host.sigconts, 4) << "every stop signal is followed by SIGCONT";
}

TEST(Stop, TimeoutThenKill) {
  auto a = worker("a");
  a.shutdown = Shutdown::after(2000);
  a.worker.stop_signal = 2;
  Harness h(root(Strategy::one_for_one, {a}));
  h.host.ignore_term.insert("a");
  h.boot();
  h.take_log();
  h.tree.shutdown(h.now);
  h.settle();
  EXPECT_EQ(h.take_log(), Log{"signal a INT"});
  h.advance(1999);
  EXPECT_EQ(h.take_log(), Log{});
  h.advance(1);
  EXPECT_EQ(h.take_log(), Log{"signal a KILL"});
  EXPECT_EQ(h.outcome(), core::OutcomeKind::stopped);
}

TEST(Stop, BrutalKill) {
  auto a = worker("a");
  a.shutdown = Shutdown::brutal();
  Harness h(root(Strategy::one_for_one, {a}));
  h.boot();
  h.take_log();
  h.tree.shutdown(h.now);
  h.settle();
  EXPECT_EQ(h.take_log(), Log{"signal a KILL"});
}

TEST(Stop, InfinityWaitsForever) {
  auto a = worker("a");
  a.shutdown = Shutdown::infinite();
  Harness h(root(Strategy::one_for_one, {worker("first"), a}));
  h.host.ignore_term.insert("a");
  h.boot();
  h.take_log();
  h.tree.shutdown(h.now);
  h.settle();
  h.advance(3600 * 1000);
  EXPECT_EQ(h.take_log(), Log{"signal a TERM"});
  EXPECT_FALSE(h.host.outcomes.back().kind == core::OutcomeKind::stopped);
  h.exit("a", core::ExitStatus::code(0));
  EXPECT_EQ(h.take_log(), Log{"signal first TERM"});
  EXPECT_EQ(h.outcome(), core::OutcomeKind::stopped);
}

TEST(Stop, ShutdownPreemptsARestartWaitingOnBackoff) {
  auto a = worker("a");
  a.worker.backoff = config::Backoff{1000, 8000};
  Harness h(root(Strategy::one_for_one, {a, worker("b")}));
  h.boot();
  h.crash("a");
  EXPECT_EQ(h.state("a"), core::ChildState::restarting);
  h.take_log();
  h.tree.shutdown(h.now);
  h.settle();
  EXPECT_EQ(h.take_log(), Log{"signal b TERM"});
  EXPECT_EQ(h.outcome(), core::OutcomeKind::stopped);
  h.advance(10000);
  EXPECT_EQ(h.take_log(), Log{}) << "the backoff timer was cancelled";
}

TEST(Stop, StopWhileStartingBeforeSpawnAnswer) {
  Harness h(root(Strategy::one_for_one, {worker("a")}));
  h.tree.boot(h.now);  // spawn requested, not yet answered
  h.tree.shutdown(h.now);
  h.settle();
  EXPECT_EQ(h.take_log(), (Log{"spawn a", "signal a TERM"}));
  EXPECT_EQ(h.outcome(), core::OutcomeKind::stopped);
}

}  // namespace
}  // namespace arbor::testing
