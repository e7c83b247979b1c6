// The exact stops and starts each strategy makes when the first, a middle or the last
// of four children dies (docs/SEMANTICS.md, OTP supervisor:restart/2).
#include <gtest/gtest.h>

#include "tests/fakes/fake_host.h"

namespace arbor::testing {
namespace {

using config::Strategy;
using Log = std::vector<std::string>;

struct Case {
  Strategy strategy;
  std::string dead;
  Log expected;
};

class StrategyTest : public ::testing::TestWithParam<Case> {};

TEST_P(StrategyTest, StopsAndStartsInOrder) {
  const Case& c = GetParam();
  Harness h(root(c.strategy, {worker("a"), worker("b"), worker("c"), worker("d")}));
  h.boot();
  EXPECT_EQ(h.take_log(), (Log{"spawn a", "spawn b", "spawn c", "spawn d"}));
  h.crash(c.dead);
  EXPECT_EQ(h.take_log(), c.expected);
  for (const char* p : {"a", "b", "c", "d"}) EXPECT_EQ(h.state(p), core::ChildState::running) << p;
  EXPECT_EQ(h.restarts(c.dead), 1);
}

INSTANTIATE_TEST_SUITE_P(
    AllStrategies, StrategyTest,
    ::testing::Values(
        Case{Strategy::one_for_one, "a", {"spawn a"}}, Case{Strategy::one_for_one, "b", {"spawn b"}},
        Case{Strategy::one_for_one, "d", {"spawn d"}},
        Case{Strategy::one_for_all,
             "a",
             {"signal d TERM", "signal c TERM", "signal b TERM", "spawn a", "spawn b", "spawn c", "spawn d"}},
        Case{Strategy::one_for_all,
             "b",
             {"signal d TERM", "signal c TERM", "signal a TERM", "spawn a", "spawn b", "spawn c", "spawn d"}},
        Case{Strategy::one_for_all,
             "d",
             {"signal c TERM", "signal b TERM", "signal a TERM", "spawn a", "spawn b", "spawn c", "spawn d"}},
        Case{Strategy::rest_for_one,
             "a",
             {"signal d TERM", "signal c TERM", "signal b TERM", "spawn a", "spawn b", "spawn c", "spawn d"}},
        Case{
            Strategy::rest_for_one, "b", {"signal d TERM", "signal c TERM", "spawn b", "spawn c", "spawn d"}},
        Case{Strategy::rest_for_one, "d", {"spawn d"}}),
    [](const ::testing::TestParamInfo<Case>& info) {
      return std::string(info.param.strategy == Strategy::one_for_one   ? "one_for_one"
                         : info.param.strategy == Strategy::one_for_all ? "one_for_all"
                                                                        : "rest_for_one") +
             "_" + info.param.dead;
    });

TEST(Strategy, GroupRestartCountsEveryRestartedChildButOneIntensityRestart) {
  Harness h(root(Strategy::one_for_all, {worker("a"), worker("b"), worker("c")}, 1, 5));
  h.boot();
  h.crash("b");
  for (const char* p : {"a", "b", "c"}) EXPECT_EQ(h.restarts(p), 1) << p;
  // One restart is used of max_restarts 1: the next death gives up.
  h.crash("a");
  EXPECT_EQ(h.outcome(), core::OutcomeKind::gave_up);
}

TEST(Strategy, GroupRestartStartsOperatorStoppedChildrenAndDropsTemporaries) {
  Harness h(root(Strategy::one_for_all,
                 {worker("a"), worker("t", config::RestartType::temporary), worker("c"), worker("d")}));
  h.boot();
  ASSERT_TRUE(h.stop("d").ok);
  h.take_log();
  h.crash("a");
  EXPECT_EQ(h.take_log(), (Log{"signal c TERM", "signal t TERM", "spawn a", "spawn c", "spawn d"}));
  EXPECT_FALSE(h.exists("t"));
  EXPECT_EQ(h.state("d"), core::ChildState::running);
}

TEST(Strategy, TemporaryDeathInGroupIsNotAGroupRestart) {
  Harness h(
      root(Strategy::one_for_all, {worker("a"), worker("t", config::RestartType::temporary), worker("c")}));
  h.boot();
  h.take_log();
  h.crash("t");
  EXPECT_EQ(h.take_log(), Log{});
  EXPECT_FALSE(h.exists("t"));
}

TEST(Strategy, ExitDuringGroupRestartIsHandledAfterIt) {
  // c dies while the one_for_all restart caused by a is still waiting for readiness;
  // as in OTP's mailbox, its exit is handled once the restart is done.
  auto a = worker("a");
  auto b = worker("b");
  b.worker.ready.kind = config::Ready::Kind::fd;
  b.worker.ready.fd = 3;
  Harness h(root(Strategy::one_for_one, {a, b, worker("c")}, 10, 5));
  h.boot();
  h.host.auto_ready = false;
  h.take_log();
  ASSERT_TRUE(true);
  // restart b (one_for_one), which waits for readiness; meanwhile c dies
  h.crash("b");
  EXPECT_EQ(h.take_log(), Log{"spawn b"});
  h.crash("c");
  EXPECT_EQ(h.take_log(), Log{}) << "c must wait until b's restart is done";
  h.ready("b");
  EXPECT_EQ(h.take_log(), Log{"spawn c"});
}

TEST(Strategy, ChildDyingWhileGroupStopsItIsAbsorbed) {
  Harness h(root(Strategy::one_for_all, {worker("a"), worker("b"), worker("c")}, 10, 5));
  h.host.ignore_term.insert("c");
  h.boot();
  h.take_log();
  h.crash("a");  // stops c (ignores TERM: waits), then b, ...
  EXPECT_EQ(h.take_log(), Log{"signal c TERM"});
  h.crash("b");  // b dies on its own before its turn: absorbed, no second restart
  h.advance(5000);
  EXPECT_EQ(h.take_log(), (Log{"signal c KILL", "spawn a", "spawn b", "spawn c"}));
  EXPECT_EQ(h.restarts("a"), 1);
  EXPECT_EQ(h.restarts("b"), 1);
}

}  // namespace
}  // namespace arbor::testing
