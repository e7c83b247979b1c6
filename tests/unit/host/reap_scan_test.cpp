// When the reaper walks the child list (daemon/host/reaper.h): waitid(P_ALL) is
// O(children) in the kernel, so exits that nothing else waits on share one scan, and a
// group whose members must still be reaped gets its scan at once. Real processes on a
// real loop; the seam only counts the scans.
#include <signal.h>
#include <sys/wait.h>

#include <string>

#include "tests/unit/host/host_fixture.h"

namespace arbor::host::testing {
namespace {

using Kind = Event::Kind;

class CountingSys : public Sys {
 public:
  int scans = 0;  // waitid(P_ALL) calls
  int waitid(idtype_t type, id_t id, siginfo_t* info, int options) override {
    if (type == P_ALL) ++scans;
    return Sys::waitid(type, id, info, options);
  }
};

class ReapScanTest : public HostTest {
 protected:
  void SetUp() override {
    sys_ = &counting_;
    HostTest::SetUp();
  }
  CountingSys counting_;
};

TEST_F(ReapScanTest, PlainExitsShareAScan) {
  constexpr int kWorkers = 40;
  for (int i = 1; i <= kWorkers; ++i)
    spawn(static_cast<std::uint64_t>(i), child({}), "w" + std::to_string(i));
  for (int i = 1; i <= kWorkers; ++i)
    ASSERT_NE(wait_for(Kind::spawned, static_cast<std::uint64_t>(i)), nullptr);
  const int before = counting_.scans;
  // One exit at a time, as a stop in OTP's order makes them: each is reported through its
  // pidfd without a scan, and their SIGCHLDs share a scan 50 ms after the first of each
  // burst. One scan per exit (one per loop iteration with a SIGCHLD) would be 40.
  for (int i = 1; i <= kWorkers; ++i) {
    runner_->signal(static_cast<std::uint64_t>(i), SIGKILL);
    ASSERT_NE(wait_end(static_cast<std::uint64_t>(i)), nullptr);
  }
  ASSERT_TRUE(run_until([&] { return counting_.scans > before; }, 5000));
  EXPECT_LE(counting_.scans - before, kWorkers / 2) << "scans for " << kWorkers << " exits";
}

TEST_F(ReapScanTest, AGroupWhoseMembersOutliveTheLeaderIsReportedOnceTheyAreReaped) {
  // The leader forks 20 children into its group and is killed: its exit is reported
  // only once every member is dead and reaped, zombies included (a batched scan must not
  // let the group count as gone before its members are reaped).
  spawn(1, ready_on_fd(child({"--fork", "20", "--ready-fd", "3"})));
  ASSERT_NE(wait_for(Kind::ready, 1), nullptr);
  const pid_t leader = find(Kind::spawned, 1)->pid;
  ::kill(leader, SIGKILL);
  const Event* end = wait_end(1);
  ASSERT_NE(end, nullptr);
  errno = 0;
  EXPECT_EQ(::kill(-leader, 0), -1);  // no member left, zombies included
  EXPECT_EQ(errno, ESRCH);
}

}  // namespace
}  // namespace arbor::host::testing
