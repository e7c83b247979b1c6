// Signals, process groups, grandchildren and pid-reuse safety.
#include <dirent.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "tests/support/proc.h"
#include "tests/unit/host/host_fixture.h"

namespace arbor::host::testing {
namespace {

using Kind = Event::Kind;

// Polls external state (the kernel delivering parent-death signals), bounded.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// Issue 11, fault 1: a leader killed from outside whose children (each in its own session)
// die with it, while arbord is not running: their SIGCHLDs and the leader's coalesce into
// one. Every zombie must still be reaped at once, not at some unrelated later exit.
TEST_F(HostTest, CoalescedSigchldsOfOrphansInOtherSessionsLeaveNoZombie) {
  for (int round = 0; round < 3; ++round) {
    const std::uint64_t token = 10 + static_cast<std::uint64_t>(round);
    spawn(token, ready_on_fd(child({"--spawn-setsid-children", "20", "--ready-fd", "3"})));
    ASSERT_NE(wait_for(Kind::ready, token), nullptr);
    const pid_t leader = find(Kind::spawned, token)->pid;
    // As a stopped arbord would: no SIGCHLD handler runs until all of them are zombies.
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &chld, nullptr), 0);
    const std::size_t before =
        arbor::testing::children_of(getpid(), 'Z').size();  // > 0 only if the last round failed
    kill(leader, SIGKILL);
    const bool all_dead =
        eventually([&] { return arbor::testing::children_of(getpid(), 'Z').size() >= before + 21; },
                   std::chrono::seconds(10));
    pthread_sigmask(SIG_UNBLOCK, &chld, nullptr);
    ASSERT_TRUE(all_dead) << "the children did not die with their parent: "
                          << arbor::testing::children_of(getpid(), 'Z').size();
    ASSERT_NE(wait_end(token), nullptr);
    // Nothing else will exit: whatever is still a zombie now stays one.
    EXPECT_TRUE(run_until([] { return arbor::testing::children_of(getpid(), 'Z').empty(); }, 2000))
        << arbor::testing::children_of(getpid(), 'Z').size() << " zombies left after round " << round;
  }
}

// "daemon pid=P pgid=G sid=S" from the worker's log: the process --daemonize left.
std::pair<pid_t, pid_t> daemon_ids(const std::vector<std::string>& lines) {
  for (const std::string& line : lines) {
    int pid = 0;
    int pgid = 0;
    if (std::sscanf(line.c_str(), "daemon pid=%d pgid=%d", &pid, &pgid) == 2) return {pid, pgid};
  }
  return {0, 0};
}

// Issue 11, fault 3: a launcher that double-forks a daemon into a new session and exits 0
// (nginx without `daemon off;`). The daemon is killed with the worker's group and `exited`
// comes only once it is gone, so a restart can bind the daemon's port again.
TEST_F(HostTest, ADaemonThatALauncherExiting0LeftIsKilledBeforeExited) {
  spawn(1, child({"--daemonize", "--after", "0"}));
  const Event* end = wait_end(1);
  ASSERT_NE(end, nullptr);
  EXPECT_EQ(end->status.value, 0);
  const auto [daemon, pgid] = daemon_ids(log_lines("w"));
  ASSERT_GT(daemon, 0) << "no daemon line in the log";
  pgids_.insert(pgid);
  errno = 0;
  EXPECT_TRUE(kill(-pgid, 0) == -1 && errno == ESRCH) << "daemon " << daemon << " outlived its worker";
}

// A daemon left by a worker that did not exit 0 is not looked for then (see reaper.h); it
// is still killed when the runner closes, so nothing outlives arbord.
TEST_F(HostTest, ADaemonLeftUnseenIsKilledWhenTheRunnerCloses) {
  spawn(1, child({"--daemonize", "--after", "0", "--exit", "3"}));
  const Event* end = wait_end(1);
  ASSERT_NE(end, nullptr);
  EXPECT_EQ(end->status.value, 3);
  std::pair<pid_t, pid_t> ids;
  ASSERT_TRUE(run_until([&] { return (ids = daemon_ids(log_lines("w"))).first > 0; }));
  EXPECT_EQ(kill(ids.first, 0), 0) << "the daemon should still run";
  runner_->close();
  // The closed runner reaps no more: the SIGKILLed daemon is ours to reap.
  int status = 0;
  EXPECT_TRUE(
      eventually([&] { return waitpid(ids.first, &status, WNOHANG) == ids.first; }, std::chrono::seconds(5)))
      << "daemon " << ids.first << " outlived the runner";
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
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
