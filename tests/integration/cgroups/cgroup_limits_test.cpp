// What CgroupTree writes to the controllers' files for `limits` (SPEC §7), on the real
// kernel's cgroup tree. A hybrid host's v2 has no controller, so its limit files do not
// exist; a Sys over the real one records the opens and writes of those files instead (the
// system-call seam), and everything else (mkdir, cgroup.procs, subtree_control) is real.
// Where the controllers exist the same writes reach the kernel (Containment's pids_max
// and OOM tests).
#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "daemon/host/cgroup_tree.h"
#include "tests/integration/cgroups/cgroup_env.h"

namespace arbor::host {
namespace {

constexpr const char* kLimitFiles[] = {"memory.max", "memory.high", "pids.max", "cpu.weight", "cpu.max"};

// Opens of a limit file go to /dev/null, and what is written to them is kept by path.
class LimitsSys : public Sys {
 public:
  std::vector<std::pair<std::string, std::string>> writes;  // (path below the instance, text)
  std::string instance;

  int open(const char* path, int flags, mode_t mode) override {
    const std::string p = path;
    for (const char* f : kLimitFiles) {
      if (p.size() > std::strlen(f) && p.ends_with(std::string("/") + f)) {
        const int fd = Sys::open("/dev/null", O_WRONLY | O_CLOEXEC, 0);
        if (fd >= 0) open_[fd] = p;
        return fd;
      }
    }
    return Sys::open(path, flags, mode);
  }
  ssize_t write(int fd, const void* buf, std::size_t size) override {
    if (auto it = open_.find(fd); it != open_.end()) {
      std::string p = it->second;
      if (!instance.empty() && p.starts_with(instance)) p = p.substr(instance.size());
      writes.emplace_back(p, std::string(static_cast<const char*>(buf), size));
    }
    return Sys::write(fd, buf, size);
  }
  int close(int fd) override {
    open_.erase(fd);
    return Sys::close(fd);
  }

 private:
  std::map<int, std::string> open_;
};

class CgroupLimits : public ::testing::Test {
 protected:
  void SetUp() override {
    SKIP_WITHOUT_CGROUPS();
    std::string why;
    tree_ = CgroupTree::create(
        sys_,
        [this](const std::string& path) -> const config::Limits* {
          auto it = limits_.find(path);
          return it == limits_.end() ? nullptr : &it->second;
        },
        why);
    ASSERT_TRUE(tree_) << why;
    sys_.instance = tree_->instance() + "/tree";
  }
  void TearDown() override {
    if (tree_) {
      EXPECT_TRUE(tree_->close());
    }
  }
  void ensure(const std::string& path) {
    std::string error;
    ASSERT_TRUE(tree_->ensure(path, error)) << error;
  }

  LimitsSys sys_;
  std::map<std::string, config::Limits> limits_;
  std::unique_ptr<CgroupTree> tree_;
};

using Writes = std::vector<std::pair<std::string, std::string>>;

TEST_F(CgroupLimits, EachLimitIsWrittenInTheKernelsFormatToItsNodesCgroup) {
  limits_["s"] = config::Limits{.memory_max = 1 << 30, .pids_max = 512};  // the subtree's
  limits_["s/w"] = config::Limits{.memory_max = 1 << 20,
                                  .memory_high = 1 << 19,
                                  .pids_max = 64,
                                  .cpu_weight = 50,
                                  .cpu_max_percent = 150};
  ensure("s/w");
  EXPECT_EQ(sys_.writes, (Writes{{"/c-s/memory.max", "1073741824"},
                                 {"/c-s/pids.max", "512"},
                                 {"/c-s/c-w/memory.max", "1048576"},
                                 {"/c-s/c-w/memory.high", "524288"},
                                 {"/c-s/c-w/pids.max", "64"},
                                 {"/c-s/c-w/cpu.weight", "50"},
                                 {"/c-s/c-w/cpu.max", "150000 100000"}}));
}

TEST_F(CgroupLimits, ARestartWritesNothingAndAChangeOnlyWhatChanged) {
  limits_["w"] = config::Limits{.memory_max = 1 << 20, .pids_max = 64, .cpu_max_percent = 50};
  ensure("w");
  sys_.writes.clear();
  ensure("w");  // a restart with the same limits
  EXPECT_EQ(sys_.writes, Writes{});
  // A reload: memory_max gone (back to the kernel's default), pids_max changed, cpu the same.
  limits_["w"] = config::Limits{.pids_max = 32, .cpu_max_percent = 50};
  ensure("w");
  EXPECT_EQ(sys_.writes, (Writes{{"/c-w/memory.max", "max"}, {"/c-w/pids.max", "32"}}));
  sys_.writes.clear();
  limits_.erase("w");  // no limits at all
  ensure("w");
  EXPECT_EQ(sys_.writes, (Writes{{"/c-w/pids.max", "max"}, {"/c-w/cpu.max", "max 100000"}}));
}

}  // namespace
}  // namespace arbor::host
