// Signals, process groups, grandchildren and pid-reuse safety.
#include <signal.h>

#include <cerrno>

#include "tests/unit/host/host_fixture.h"

namespace arbor::host::testing {
namespace {

using Kind = Event::Kind;

config::WorkerSpec ready_on_fd(config::WorkerSpec spec) {
  spec.ready.kind = config::Ready::Kind::fd;
  spec.ready.fd = 3;
  return spec;
}

TEST_F(HostTest, TermKillsAndIsReportedAsSignal15) {
  spawn(1, child({}));
  ASSERT_NE(wait_for(Kind::spawned, 1), nullptr);
  runner_->signal(1, SIGTERM);
  const Event* end = wait_end(1);
  ASSERT_NE(end, nullptr);
  EXPECT_TRUE(end->status.signaled);
  EXPECT_EQ(end->status.value, SIGTERM);
  EXPECT_TRUE(end->group_gone_at_callback);
}

TEST_F(HostTest, ChildIgnoringTermSurvivesItAndDiesByKill) {
  spawn(1, ready_on_fd(child({"--ignore-term", "--ready-fd", "3"})));
  ASSERT_NE(wait_for(Kind::ready, 1), nullptr);
  runner_->signal(1, SIGTERM);
  run_for(150);  // absence check: nothing may end it
  EXPECT_EQ(find(Kind::exited, 1), nullptr);
  EXPECT_EQ(runner_->live(), 1u);
  runner_->signal(1, SIGKILL);
  const Event* end = wait_end(1);
  ASSERT_NE(end, nullptr);
  EXPECT_TRUE(end->status.signaled);
  EXPECT_EQ(end->status.value, SIGKILL);
}

TEST_F(HostTest, GrandchildrenAreGoneWhenLeaderExitIsReported) {
  spawn(1, ready_on_fd(child({"--fork", "5", "--ready-fd", "3"})));
  ASSERT_NE(wait_for(Kind::ready, 1), nullptr);
  runner_->signal(1, SIGTERM);  // the grandchildren ignore it; the leader dies
  const Event* end = wait_end(1);
  ASSERT_NE(end, nullptr);
  EXPECT_EQ(end->status.value, SIGTERM);
  EXPECT_TRUE(end->group_gone_at_callback);
}

TEST_F(HostTest, GrandchildrenAreGoneAfterLeaderExitsOnItsOwn) {
  spawn(1, child({"--fork", "5", "--after", "30", "--exit", "4"}));
  const Event* end = wait_end(1);
  ASSERT_NE(end, nullptr);
  EXPECT_FALSE(end->status.signaled);
  EXPECT_EQ(end->status.value, 4);
  EXPECT_TRUE(end->group_gone_at_callback);
  EXPECT_EQ(runner_->live(), 0u);
}

TEST_F(HostTest, OrphanedGrandchildrenOfAnExitedLeaderAreReaped) {
  // The leader exits at once; its grandchildren are reparented to us, killed and reaped.
  spawn(1, child({"--fork", "20", "--exit", "0", "--after", "0"}));
  const Event* end = wait_end(1);
  ASSERT_NE(end, nullptr);
  EXPECT_TRUE(end->group_gone_at_callback);
}

TEST_F(HostTest, SignalAfterExitIsANoOp) {
  spawn(1, child({"--after", "0"}));
  ASSERT_NE(wait_end(1), nullptr);
  spawn(2, ready_on_fd(child({"--ready-fd", "3"})));
  ASSERT_NE(wait_for(Kind::ready, 2), nullptr);
  // Token 1 is gone: neither its old group nor anyone else is signalled.
  runner_->signal(1, SIGKILL);
  runner_->signal(99, SIGKILL);
  run_for(50);
  EXPECT_EQ(find(Kind::exited, 2), nullptr);
  EXPECT_EQ(runner_->live(), 1u);
  runner_->signal(2, SIGKILL);
  ASSERT_NE(wait_end(2), nullptr);
}

}  // namespace
}  // namespace arbor::host::testing
