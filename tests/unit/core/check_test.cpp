// `check`: which workers should run, and which of them do not (daemon/core/check.h).
#include <gtest/gtest.h>

#include "daemon/core/check.h"
#include "tests/fakes/fake_host.h"

namespace arbor::testing {
namespace {

using config::AutoShutdown;
using config::RestartType;
using config::Strategy;

std::vector<std::string> problems(const Harness& h, const std::string& path = "/") {
  std::vector<std::string> out;
  const core::Node* node = h.tree.find(path);
  if (node == nullptr) return {"not found"};
  for (const auto& p : core::check(*node).problems) {
    out.push_back(p.path + " " + std::string(core::to_string(p.state)) +
                  (p.reason.empty() ? "" : " " + p.reason));
  }
  return out;
}

std::size_t running(const Harness& h, const std::string& path = "/") {
  return core::check(*h.tree.find(path)).running.size();
}

TEST(Check, AllRunningIsHealthy) {
  Harness h(
      root(Strategy::one_for_one, {worker("a"), supervisor("s", Strategy::one_for_one, {worker("x")})}));
  h.boot();
  EXPECT_TRUE(problems(h).empty());
  EXPECT_EQ(running(h), 2u);
  EXPECT_EQ(running(h, "s"), 1u);
  EXPECT_EQ(running(h, "a"), 1u);
}

TEST(Check, OperatorStoppedIsNotExpectedToRun) {
  Harness h(
      root(Strategy::one_for_one, {worker("a"), supervisor("s", Strategy::one_for_one, {worker("x")})}));
  h.boot();
  ASSERT_TRUE(h.stop("a").ok);
  ASSERT_TRUE(h.stop("s").ok);
  EXPECT_TRUE(problems(h).empty());
  EXPECT_EQ(running(h), 0u);
  EXPECT_TRUE(problems(h, "s/x").empty());  // below an operator-stopped supervisor
}

TEST(Check, TransientThatEndedNormallyIsNotExpectedToRun) {
  Harness h(root(Strategy::one_for_one, {worker("a"), worker("t", RestartType::transient)}));
  h.boot();
  h.exit("t", core::ExitStatus::code(0));
  EXPECT_TRUE(problems(h).empty());
  EXPECT_EQ(running(h), 1u);
}

TEST(Check, APermanentWorkerThatExitedZeroIsExpectedToRunAgain) {
  auto a = worker("a");
  a.worker.backoff = config::Backoff{1000, 10000};
  Harness h(root(Strategy::one_for_one, {a}));
  h.boot();
  h.exit("a", core::ExitStatus::code(0));
  EXPECT_EQ(problems(h), (std::vector<std::string>{"a restarting last exit: exit code 0"}));
}

TEST(Check, RestartingWithBackoffIsAProblemNamingTheLastExit) {
  auto a = worker("a");
  a.worker.backoff = config::Backoff{1000, 10000};
  Harness h(root(Strategy::one_for_one, {a}));
  h.boot();
  h.exit("a", core::ExitStatus::signal(9));
  EXPECT_EQ(problems(h), (std::vector<std::string>{"a restarting last exit: killed by signal 9"}));
}

TEST(Check, ASupervisorThatGaveUpIsAProblem) {
  auto s = supervisor("s", Strategy::one_for_one, {worker("x")}, 0, 5);
  s.restart = RestartType::transient;
  Harness h(root(Strategy::one_for_one, {worker("a"), s}));
  h.boot();
  h.crash("s/x");
  EXPECT_EQ(h.state("s"), core::ChildState::stopped);
  EXPECT_EQ(problems(h), (std::vector<std::string>{"s stopped gave up (restart intensity reached)"}));
}

TEST(Check, ASupervisorThatShutDownOnItsOwnIsNotExpectedToRun) {
  auto t = worker("t", RestartType::transient);
  t.significant = true;
  auto s = supervisor("s", Strategy::one_for_one, {worker("x"), t});
  s.restart = RestartType::transient;
  s.supervisor->auto_shutdown = AutoShutdown::any_significant;
  Harness h(root(Strategy::one_for_one, {worker("a"), s}));
  h.boot();
  h.exit("s/t", core::ExitStatus::code(0));
  EXPECT_EQ(h.state("s"), core::ChildState::stopped);
  EXPECT_TRUE(problems(h).empty());
  EXPECT_EQ(running(h), 1u);
}

}  // namespace
}  // namespace arbor::testing
