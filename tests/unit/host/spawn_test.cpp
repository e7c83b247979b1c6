// fork/exec and start failures named by stage.
#include <sys/stat.h>

#include <fstream>

#include "tests/unit/host/host_fixture.h"

namespace arbor::host::testing {
namespace {

using Kind = Event::Kind;

TEST_F(HostTest, SpawnReportsPidThenExitCode) {
  spawn(1, child({"--after", "20", "--exit", "7"}));
  const Event* end = wait_end(1);
  ASSERT_NE(end, nullptr);
  EXPECT_EQ(end->kind, Kind::exited);
  EXPECT_FALSE(end->status.signaled);
  EXPECT_EQ(end->status.value, 7);
  const Event* spawned = find(Kind::spawned, 1);
  ASSERT_NE(spawned, nullptr);
  EXPECT_GT(spawned->pid, 0);
  EXPECT_LT(index_of(Kind::spawned, 1), index_of(Kind::exited, 1));
  EXPECT_EQ(runner_->live(), 0u);
}

TEST_F(HostTest, ExecOfMissingFileFails) {
  config::WorkerSpec spec;
  spec.command = {dir_ + "/no-such-program"};
  spawn(1, spec);
  const Event* end = wait_end(1);
  ASSERT_NE(end, nullptr);
  EXPECT_EQ(end->kind, Kind::start_failed);
  EXPECT_EQ(end->text, "exec: No such file or directory");
  EXPECT_EQ(find(Kind::spawned, 1), nullptr);
  EXPECT_EQ(runner_->live(), 0u);
}

TEST_F(HostTest, ExecOfNonExecutableFileFails) {
  const std::string path = dir_ + "/not-executable";
  std::ofstream(path) << "#!/bin/sh\nexit 0\n";
  ASSERT_EQ(chmod(path.c_str(), 0644), 0);
  config::WorkerSpec spec;
  spec.command = {path};
  spawn(1, spec);
  const Event* end = wait_end(1);
  ASSERT_NE(end, nullptr);
  EXPECT_EQ(end->text, "exec: Permission denied");
}

TEST_F(HostTest, ChdirFailureNamesTheStage) {
  auto spec = child({"--exit", "0"});
  spec.cwd = dir_ + "/missing-dir";
  spawn(1, spec);
  const Event* end = wait_end(1);
  ASSERT_NE(end, nullptr);
  EXPECT_EQ(end->text, "chdir: No such file or directory");
}

TEST_F(HostTest, CwdIsApplied) {
  auto spec = child({"--after", "0"});
  spec.command = {"/bin/sh", "-c", "pwd"};
  spec.cwd = dir_;
  spawn(1, spec);
  ASSERT_NE(wait_end(1), nullptr);
  EXPECT_EQ(log_lines("w"), std::vector<std::string>{dir_});
}

TEST_F(HostTest, EmptyCommandFailsWithoutFork) {
  spawn(1, config::WorkerSpec{});
  const Event* end = wait_end(1);
  ASSERT_NE(end, nullptr);
  EXPECT_EQ(end->kind, Kind::start_failed);
}

TEST_F(HostTest, TokenInUseIsRefused) {
  spawn(1, child({}));
  spawn(1, child({}));
  const Event* failed = wait_for(Kind::start_failed, 1);
  ASSERT_NE(failed, nullptr);
  EXPECT_EQ(failed->text, "spawn: File exists");
  ASSERT_NE(wait_for(Kind::spawned, 1), nullptr);
  runner_->signal(1, SIGKILL);
  ASSERT_NE(wait_for(Kind::exited, 1), nullptr);
}

TEST_F(HostTest, ManyShortLivedWorkersAreAllReaped) {
  constexpr int kWorkers = 60;
  for (int i = 1; i <= kWorkers; ++i)
    spawn(static_cast<std::uint64_t>(i), child({"--after", "0", "--exit", "3"}));
  ASSERT_TRUE(run_until([&] {
    int n = 0;
    for (const auto& e : events_) n += e.kind == Kind::exited;
    return n == kWorkers;
  }));
  for (const auto& e : events_) {
    if (e.kind != Kind::exited) continue;
    EXPECT_EQ(e.status.value, 3);
    EXPECT_TRUE(e.group_gone_at_callback);
  }
  EXPECT_EQ(runner_->live(), 0u);
}

TEST_F(HostTest, ExitByOwnSignalIsReportedAsSignaled) {
  spawn(1, child({"--kill-self", "6"}));
  const Event* end = wait_end(1);
  ASSERT_NE(end, nullptr);
  EXPECT_TRUE(end->status.signaled);
  EXPECT_EQ(end->status.value, SIGABRT);
}

TEST_F(HostTest, IdleRunnerDoesNotWakeTheLoop) {
  auto spec = child({"--ready-fd", "3"});
  spec.ready.kind = config::Ready::Kind::fd;
  spec.ready.fd = 3;
  spawn(1, spec);
  ASSERT_NE(wait_for(Kind::ready, 1), nullptr);
  run_for(20);  // let the ready channel close and the callback queue empty
  // A running worker, nothing happening: only the test's own 300 ms timer may wake us.
  EXPECT_EQ(run_for(300), 1);
  runner_->signal(1, SIGKILL);
  ASSERT_NE(wait_end(1), nullptr);
}

}  // namespace
}  // namespace arbor::host::testing
