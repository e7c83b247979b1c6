// GroupRecord::take_over on a damaged record: only real process groups of arbord's are
// signalled; numbers that are no pid (negative, zero, 1, wrapped past pid_t) never reach
// kill(), where -pgid could name init or every process.
#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "daemon/host/group_record.h"
#include "daemon/host/sys.h"

namespace arbor::host::testing {
namespace {

// Records every kill() and sends none.
class KillRecorder : public Sys {
 public:
  int kill(pid_t pid, int signo) override {
    kills.emplace_back(pid, signo);
    return 0;
  }
  std::vector<std::pair<pid_t, int>> kills;
};

TEST(GroupRecordTest, ADamagedRecordSignalsOnlyRealGroups) {
  const std::string path = ::testing::TempDir() + "arbor_group_record_test.groups";
  std::remove(path.c_str());
  const pid_t me = getpid();
  const unsigned long long start = GroupRecord::start_time(me);
  ASSERT_NE(start, 0u);
  {
    std::ofstream out(path);
    out << "+4294967295 5\n"  // wraps to -1 as a pid_t: kill(1, ...)
        << "+2147483648 5\n"  // -pgid overflows
        << "+-7 5\n+0 5\n+1 5\n"
        << "garbage\n-\n"
        << "+" << me << " " << start << "\n";  // a live group with its own start time: killed
  }
  KillRecorder sys;
  auto record = GroupRecord::take_over(path, sys);
  ASSERT_TRUE(record);
  ASSERT_EQ(sys.kills.size(), 1u) << "only the one real group is signalled";
  EXPECT_EQ(sys.kills[0].first, -me);
  EXPECT_EQ(sys.kills[0].second, SIGKILL);
  record.reset();
  std::remove(path.c_str());
}

std::string slurp_file(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The cgroup instance stays in the record across its rewrites, until it is removed; a
// record holding one is not deleted at the end, so the next arbord cleans up after a crash.
TEST(GroupRecordTest, TheCgroupInstanceSurvivesCompactionUntilRemoved) {
  const std::string path = ::testing::TempDir() + "arbor_group_record_cgroup_test.groups";
  std::remove(path.c_str());
  auto record = GroupRecord::take_over(path);
  ASSERT_TRUE(record);
  record->cgroup_added("/sys/fs/cgroup/arbord-12");
  for (int i = 0; i < 200; ++i) {  // many times past the compaction threshold
    record->added(getpid());
    record->removed(getpid());
  }
  EXPECT_NE(slurp_file(path).find("c /sys/fs/cgroup/arbord-12\n"), std::string::npos) << slurp_file(path);
  EXPECT_LT(slurp_file(path).size(), 2000u) << "compacted";
  record.reset();
  EXPECT_NE(slurp_file(path).find("c /sys/fs/cgroup/arbord-12"), std::string::npos)
      << "kept for the next arbord";
  record = GroupRecord::take_over(path);  // not an instance on cgroup2: left alone, forgotten
  ASSERT_TRUE(record);
  record->cgroup_added("/sys/fs/cgroup/arbord-13");
  record->cgroup_removed("/sys/fs/cgroup/arbord-13");
  record.reset();
  EXPECT_FALSE(std::ifstream(path).good()) << "a clean exit leaves no record";
}

}  // namespace
}  // namespace arbor::host::testing
