// The readers of cgroup v2's files, on text in the shape the kernel writes it.
#include "daemon/host/cgroup_parse.h"

#include <gtest/gtest.h>

namespace arbor::host {
namespace {

TEST(CgroupParse, FindsTheV2MountOfAHybridHost) {
  const char* mountinfo =
      "24 29 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
      "31 24 0:26 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755\n"
      "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate\n"
      "42 31 0:39 / /sys/fs/cgroup/memory rw,relatime shared:11 - cgroup cgroup rw,memory\n";
  EXPECT_EQ(cgroup2_mount(mountinfo), "/sys/fs/cgroup/unified");
}

TEST(CgroupParse, FindsTheV2MountWithoutOptionalFieldsAndUnescapes) {
  EXPECT_EQ(cgroup2_mount("30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"), "/sys/fs/cgroup");
  EXPECT_EQ(cgroup2_mount("30 23 0:26 / /mnt/my\\040cg rw a:1 b:2 - cgroup2 none rw"), "/mnt/my cg");
}

TEST(CgroupParse, NoV2MountOnAPureV1Host) {
  EXPECT_EQ(cgroup2_mount("42 31 0:39 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"), std::nullopt);
  EXPECT_EQ(cgroup2_mount(""), std::nullopt);
  EXPECT_EQ(cgroup2_mount("garbage without a separator\n"), std::nullopt);
}

TEST(CgroupParse, OwnCgroupIsTheZeroLine) {
  EXPECT_EQ(own_cgroup("9:name=systemd:/\n4:memory:/x/y\n0::/\n"), "/");
  EXPECT_EQ(own_cgroup("0::/system.slice/arbord.service\n"), "/system.slice/arbord.service");
  EXPECT_EQ(own_cgroup("4:memory:/x\n"), std::nullopt);
  EXPECT_EQ(own_cgroup("0::/gone (deleted)\n"), std::nullopt);
  EXPECT_EQ(own_cgroup("0::\n"), std::nullopt);
}

TEST(CgroupParse, CgroupEvents) {
  auto e = parse_cgroup_events("populated 1\nfrozen 0\n");
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->populated);
  EXPECT_FALSE(e->frozen);
  e = parse_cgroup_events("populated 0\nfrozen 1\n");
  ASSERT_TRUE(e);
  EXPECT_FALSE(e->populated);
  EXPECT_TRUE(e->frozen);
  e = parse_cgroup_events("populated 0\n");  // before 5.2: no freezer
  ASSERT_TRUE(e);
  EXPECT_FALSE(e->frozen);
  EXPECT_FALSE(parse_cgroup_events("frozen 0\n"));
  EXPECT_FALSE(parse_cgroup_events(""));
}

TEST(CgroupParse, MemoryEventsOomKill) {
  const char* events = "low 0\nhigh 12\nmax 40\noom 2\noom_kill 1\noom_group_kill 0\n";
  EXPECT_EQ(keyed_value(events, "oom_kill"), 1U);
  EXPECT_EQ(keyed_value(events, "oom"), 2U);  // a key is a whole field, not a prefix
  EXPECT_EQ(keyed_value(events, "oom_group_kill"), 0U);
  EXPECT_EQ(keyed_value(events, "missing"), std::nullopt);
  EXPECT_EQ(keyed_value("oom_kill x\n", "oom_kill"), std::nullopt);
}

TEST(CgroupParse, CpuStatUsage) {
  const char* stat =
      "usage_usec 1234567\nuser_usec 1000000\nsystem_usec 234567\nnr_periods 0\nnr_throttled 0\n"
      "throttled_usec 0\nnr_bursts 0\nburst_usec 0\n";
  EXPECT_EQ(keyed_value(stat, "usage_usec"), 1234567U);
  EXPECT_EQ(keyed_value(stat, "usage"), std::nullopt);
}

TEST(CgroupParse, MemoryCurrent) {
  EXPECT_EQ(single_value("8192\n"), 8192U);
  EXPECT_EQ(single_value("18446744073709551615\n"), 18446744073709551615ULL);
  EXPECT_EQ(single_value("max\n"), std::nullopt);
  EXPECT_EQ(single_value(""), std::nullopt);
  EXPECT_EQ(single_value("-1\n"), std::nullopt);
}

TEST(CgroupParse, Controllers) {
  EXPECT_EQ(parse_controllers("cpuset cpu io memory hugetlb pids rdma misc\n"),
            (std::vector<std::string>{"cpuset", "cpu", "io", "memory", "hugetlb", "pids", "rdma", "misc"}));
  EXPECT_TRUE(parse_controllers("\n").empty());
  EXPECT_TRUE(parse_controllers("").empty());
}

TEST(CgroupParse, Procs) {
  EXPECT_EQ(parse_pids("12\n345\n6789\n"), (std::vector<int>{12, 345, 6789}));
  EXPECT_TRUE(parse_pids("").empty());
}

}  // namespace
}  // namespace arbor::host
