// Significant children and auto_shutdown (OTP 24+).
#include <gtest/gtest.h>

#include "tests/fakes/fake_host.h"

namespace arbor::testing {
namespace {

using config::AutoShutdown;
using config::RestartType;
using config::Strategy;

config::ChildSpec sig(const std::string& id, RestartType t = RestartType::transient) {
  auto w = worker(id, t);
  w.significant = true;
  return w;
}

config::ChildSpec auto_root(AutoShutdown mode, std::vector<config::ChildSpec> children) {
  auto r = root(Strategy::one_for_one, std::move(children));
  r.supervisor->auto_shutdown = mode;
  return r;
}

TEST(Significant, AnySignificantEndsTheSupervisor) {
  Harness h(auto_root(AutoShutdown::any_significant, {worker("a"), sig("s"), worker("b")}));
  h.boot();
  h.take_log();
  h.exit("s", core::ExitStatus::code(0));
  EXPECT_EQ(h.take_log(), (std::vector<std::string>{"signal b TERM", "signal a TERM"}));
  EXPECT_EQ(h.outcome(), core::OutcomeKind::auto_shutdown);
}

TEST(Significant, AbnormalExitOfTransientRestartsInstead) {
  Harness h(auto_root(AutoShutdown::any_significant, {sig("s")}));
  h.boot();
  h.take_log();
  h.exit("s", core::ExitStatus::code(1));
  EXPECT_EQ(h.take_log(), (std::vector<std::string>{"spawn s"}));
  EXPECT_EQ(h.outcome(), core::OutcomeKind::booted);
}

TEST(Significant, TemporaryEndsAnyWay) {
  Harness h(auto_root(AutoShutdown::any_significant, {worker("a"), sig("t", RestartType::temporary)}));
  h.boot();
  h.exit("t", core::ExitStatus::code(1));
  EXPECT_EQ(h.outcome(), core::OutcomeKind::auto_shutdown);
}

TEST(Significant, OperatorStopNeverTriggersIt) {
  Harness h(auto_root(AutoShutdown::any_significant, {worker("a"), sig("s")}));
  h.boot();
  ASSERT_TRUE(h.stop("s").ok);
  EXPECT_EQ(h.outcome(), core::OutcomeKind::booted);
  EXPECT_EQ(h.state("a"), core::ChildState::running);
}

TEST(Significant, AllSignificantWaitsForTheLast) {
  Harness h(auto_root(AutoShutdown::all_significant, {worker("a"), sig("s1"), sig("s2")}));
  h.boot();
  h.exit("s1", core::ExitStatus::code(0));
  EXPECT_EQ(h.outcome(), core::OutcomeKind::booted);
  h.exit("s2", core::ExitStatus::code(0));
  EXPECT_EQ(h.outcome(), core::OutcomeKind::auto_shutdown);
}

TEST(Significant, AllSignificantCountsAnOperatorStoppedChildAsEnded) {
  Harness h(auto_root(AutoShutdown::all_significant, {worker("a"), sig("s1"), sig("s2")}));
  h.boot();
  ASSERT_TRUE(h.stop("s1").ok);
  EXPECT_EQ(h.outcome(), core::OutcomeKind::booted);
  h.exit("s2", core::ExitStatus::code(0));
  EXPECT_EQ(h.outcome(), core::OutcomeKind::auto_shutdown);
}

TEST(Significant, NestedAutoShutdownIsAShutdownExitForTheParent) {
  auto inner = supervisor("inner", Strategy::one_for_one, {worker("x"), sig("s")});
  inner.supervisor->auto_shutdown = AutoShutdown::any_significant;
  inner.restart = RestartType::transient;
  Harness h(root(Strategy::one_for_one, {inner, worker("b")}));
  h.boot();
  h.take_log();
  h.exit("inner/s", core::ExitStatus::code(0));
  EXPECT_EQ(h.take_log(), (std::vector<std::string>{"signal inner/x TERM"}));
  EXPECT_EQ(h.state("inner"), core::ChildState::stopped);  // transient + shutdown: not restarted
  EXPECT_EQ(h.state("b"), core::ChildState::running);
}

// auto_shutdown_exit_code "child" (docs/CONFIG.md): the outcome carries how the significant
// child whose end shut the root down ended.
TEST(Significant, TheOutcomeCarriesTheTriggeringExit) {
  Harness h(auto_root(AutoShutdown::any_significant, {worker("a"), sig("t", RestartType::temporary)}));
  h.boot();
  h.exit("t", core::ExitStatus::signal(9));
  ASSERT_EQ(h.outcome(), core::OutcomeKind::auto_shutdown);
  EXPECT_EQ(h.host.outcomes.back().exit, core::ExitStatus::signal(9));
}

TEST(Significant, AllSignificantCarriesTheLastExit) {
  auto s2 = sig("s2");
  s2.worker.success_exit_codes = {0, 7};
  Harness h(auto_root(AutoShutdown::all_significant, {sig("s1"), s2}));
  h.boot();
  h.exit("s1", core::ExitStatus::code(0));
  h.exit("s2", core::ExitStatus::code(7));
  ASSERT_EQ(h.outcome(), core::OutcomeKind::auto_shutdown);
  EXPECT_EQ(h.host.outcomes.back().exit, core::ExitStatus::code(7));
}

TEST(Significant, ANestedSupervisorPassesItsTriggerUp) {
  auto inner = supervisor("inner", Strategy::one_for_one, {worker("x"), sig("t", RestartType::temporary)});
  inner.supervisor->auto_shutdown = AutoShutdown::any_significant;
  inner.restart = RestartType::transient;
  inner.significant = true;
  Harness h(auto_root(AutoShutdown::any_significant, {inner, worker("b")}));
  h.boot();
  h.exit("inner/t", core::ExitStatus::code(4));
  ASSERT_EQ(h.outcome(), core::OutcomeKind::auto_shutdown);
  EXPECT_EQ(h.host.outcomes.back().exit, core::ExitStatus::code(4));
}

}  // namespace
}  // namespace arbor::testing
