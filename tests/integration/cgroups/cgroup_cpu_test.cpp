// CgroupTree::cpu_usage on the real kernel: a walk that finds a parent's usage unchanged
// returns its subtree's last readings without opening their cpu.stat, and those readings
// are still the kernel's; a subtree that ran is read again; a cgroup made anew (renew)
// is read again even below an unchanged parent, from 0.
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <map>

#include <gtest/gtest.h>

#include "daemon/host/cgroup_parse.h"
#include "daemon/host/cgroup_tree.h"
#include "tests/integration/cgroups/cgroup_env.h"
#include "tests/integration/cgroups/spawn_in.h"

namespace arbor::host {
namespace {

// The real system calls, counting the opens of cpu.stat.
class CountingSys : public Sys {
 public:
  int openat(int dir_fd, const char* path, int flags, mode_t mode) override {
    if (std::strstr(path, "cpu.stat") != nullptr) ++cpu_stat_opens;
    return Sys::openat(dir_fd, path, flags, mode);
  }
  int open(const char* path, int flags, mode_t mode) override {
    if (std::strstr(path, "cpu.stat") != nullptr) ++cpu_stat_opens;
    return Sys::open(path, flags, mode);
  }
  int cpu_stat_opens = 0;
};

class CgroupCpuTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SKIP_WITHOUT_CGROUPS();
    std::string why;
    tree_ = CgroupTree::create(sys_, nullptr, why);
    ASSERT_TRUE(tree_) << why;
    std::string error;
    for (const char* path : {"s/busy", "s/idle", "other"}) ASSERT_TRUE(tree_->ensure(path, error)) << error;
  }
  void TearDown() override {
    if (tree_) {
      EXPECT_TRUE(tree_->close());
    }
  }

  // Runs a shell loop in the cgroup of `path` to its end: some CPU time there.
  void burn(const std::string& path) {
    const pid_t pid = testing::spawn_in(
        *tree_, path, {"/bin/sh", "-c", "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done"});
    ASSERT_GT(pid, 0);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }

  // The kernel's figure, read past the cache.
  std::uint64_t kernel_usec(const std::string& path) {
    const auto text = read_small_file(Sys::real(), tree_->absolute(path) + "/cpu.stat");
    EXPECT_TRUE(text);
    const auto usec = text ? keyed_value(*text, "usage_usec") : std::nullopt;
    return usec.value_or(0);
  }

  struct Walk {
    std::map<std::string, CgroupTree::CpuReading> of;
    int opens = 0;
  };
  // A walk as status and `metrics` make it: a parent before its children.
  Walk walk() {
    Walk w;
    const int before = sys_.cpu_stat_opens;
    const auto root = tree_->cpu_usage("/", false);
    w.of["/"] = root;
    const auto s = tree_->cpu_usage("s", root.unchanged);
    w.of["s"] = s;
    w.of["s/busy"] = tree_->cpu_usage("s/busy", s.unchanged);
    w.of["s/idle"] = tree_->cpu_usage("s/idle", s.unchanged);
    w.of["other"] = tree_->cpu_usage("other", root.unchanged);
    w.opens = sys_.cpu_stat_opens - before;
    return w;
  }

  CountingSys sys_;
  std::unique_ptr<CgroupTree> tree_;
};

TEST_F(CgroupCpuTest, AnIdleTreeIsReadOnceAndItsFiguresStayTheKernels) {
  burn("s/busy");
  Walk first = walk();
  EXPECT_EQ(first.opens, 5);  // nothing known yet: every node read
  for (const auto& [path, reading] : first.of) {
    ASSERT_TRUE(reading.usec) << path;
    EXPECT_FALSE(reading.unchanged) << path;
  }
  EXPECT_GT(*first.of["s/busy"].usec, 0u);
  EXPECT_GE(*first.of["s"].usec, *first.of["s/busy"].usec);

  // Nothing ran in the tree since: the root's file alone is opened, and every figure
  // returned is what the kernel says now.
  Walk second = walk();
  EXPECT_EQ(second.opens, 1);
  for (const auto& [path, reading] : second.of) {
    EXPECT_TRUE(reading.unchanged) << path;
    EXPECT_EQ(reading.usec, first.of[path].usec) << path;
    EXPECT_EQ(*reading.usec, kernel_usec(path)) << path;
  }
}

TEST_F(CgroupCpuTest, ASubtreeThatRanIsReadAgainAndAnIdleSiblingIsNot) {
  walk();
  burn("s/busy");
  Walk w = walk();
  // "/" and "s" changed, so their children are read; "other" is read (its parent
  // changed) and found unchanged.
  EXPECT_EQ(w.opens, 5);
  EXPECT_FALSE(w.of["/"].unchanged);
  EXPECT_FALSE(w.of["s"].unchanged);
  EXPECT_FALSE(w.of["s/busy"].unchanged);
  EXPECT_TRUE(w.of["s/idle"].unchanged);
  EXPECT_TRUE(w.of["other"].unchanged);
  for (const auto& [path, reading] : w.of) EXPECT_EQ(*reading.usec, kernel_usec(path)) << path;
}

TEST_F(CgroupCpuTest, ACgroupMadeAnewIsReadEvenBelowAnUnchangedParent) {
  burn("s/busy");
  walk();
  // renew() replaces the empty cgroup by a new one: its usage starts again from 0 while
  // "s" keeps what the old one used, so "s" reads unchanged.
  tree_->renew("s/busy");
  Walk w = walk();
  EXPECT_TRUE(w.of["s"].unchanged);
  EXPECT_EQ(w.opens, 2);  // "/" and the new "s/busy"
  EXPECT_EQ(*w.of["s/busy"].usec, kernel_usec("s/busy"));
  EXPECT_LT(*w.of["s/busy"].usec, *w.of["s"].usec);
}

}  // namespace
}  // namespace arbor::host
