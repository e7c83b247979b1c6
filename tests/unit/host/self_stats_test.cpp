// arbord's process_* metrics (daemon/host/self_stats.h): the /proc parsers on text in the
// kernel's shape, and the reading of this test process's own values.
#include <unistd.h>

#include <ctime>

#include <gtest/gtest.h>

#include "daemon/host/self_stats.h"

namespace arbor::host {
namespace {

TEST(SelfStats, StatmResidentPages) {
  EXPECT_EQ(statm_resident_pages("5341 1779 1243 243 0 1019 0\n"), 1779u);
  EXPECT_FALSE(statm_resident_pages("5341\n"));
  EXPECT_FALSE(statm_resident_pages(""));
}

TEST(SelfStats, StartTicksAfterACommandWithSpacesAndParentheses) {
  const std::string tail =
      " S 1 4242 4242 0 -1 4194560 1200 0 0 0 12 5 0 0 20 0 1 0 987654 20000000 1779 "
      "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
  EXPECT_EQ(stat_start_ticks("4242 (arbord)" + tail), 987654u);
  EXPECT_EQ(stat_start_ticks("4242 (a) b (c))" + tail), 987654u);
  EXPECT_FALSE(stat_start_ticks("4242 (arbord) S 1 2"));
  EXPECT_FALSE(stat_start_ticks("garbage"));
}

TEST(SelfStats, ThisProcess) {
  const SelfStats s = read_self_stats(Sys::real());
  ASSERT_TRUE(s.resident_bytes);
  EXPECT_GT(*s.resident_bytes, 0u);
  ASSERT_TRUE(s.open_fds);
  EXPECT_GE(*s.open_fds, 3u);  // stdin, stdout, stderr at least
  ASSERT_TRUE(s.start_time_seconds);
  const double now = static_cast<double>(std::time(nullptr));
  EXPECT_LE(*s.start_time_seconds, now + 1);
  EXPECT_GT(*s.start_time_seconds, now - 24 * 3600) << "this test started today";
}

}  // namespace
}  // namespace arbor::host
