// Where cgroup v2 is not writable (an unprivileged container's read-only cgroupfs, played
// here by a private mount namespace with the cgroup2 mount remounted read-only): "auto"
// logs one warning saying why and runs the tree with process groups; "required" exits 1
// at start, saying why. Each case runs in a child process (a death test), so the
// namespace never reaches the other tests.
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/cgroups/cgroup_env.h"
#include "tests/support/proc.h"

namespace arbor::testing {
namespace {

using nlohmann::json;

// In a new mount namespace, makes the cgroup2 mount read-only and runs arbord on `tree`.
// Exits 0 when its status is `status` and its stderr holds `expected`.
[[noreturn]] void run_read_only(json tree, int status, const std::string& expected) {
  const std::string mount = v2_mount();
  if (unshare(CLONE_NEWNS) != 0 || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
      ::mount(nullptr, mount.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) != 0) {
    std::fprintf(stderr, "cannot make %s read-only\n", mount.c_str());
    std::_Exit(2);
  }
  char dir[] = "/tmp/arbor-cgfallback-XXXXXX";
  if (mkdtemp(dir) == nullptr) std::_Exit(2);
  tree["socket"] = std::string(dir) + "/arbord.sock";
  tree["log_dir"] = std::string(dir) + "/logs";
  const std::string config = std::string(dir) + "/arbor.json";
  std::ofstream(config) << tree.dump();
  const RunResult r = run({ARBORD_BIN, "--config", config}, 20s);
  std::fprintf(stderr, "status %d, stderr:\n%s\n", r.status, r.err.c_str());
  std::_Exit(r.status == status && r.err.find(expected) != std::string::npos ? 0 : 1);
}

// A tree that ends on its own: a significant temporary worker that exits 0.
json short_tree(const char* mode) {
  return {{"cgroups", mode},
          {"root",
           {{"auto_shutdown", "any_significant"},
            {"children", json::array({json{{"id", "once"},
                                           {"command", {ARBOR_TEST_CHILD, "--after", "0"}},
                                           {"restart", "temporary"},
                                           {"significant", true}}})}}}};
}

TEST(CgroupsFallback, AutoWarnsOnceAndRunsWithProcessGroups) {
  SKIP_WITHOUT_CGROUPS();
  EXPECT_EXIT(run_read_only(short_tree("auto"), 0, "cgroups unavailable: cannot create "),
              ::testing::ExitedWithCode(0), "Read-only file system");
}

TEST(CgroupsFallback, RequiredExitsOneSayingWhy) {
  SKIP_WITHOUT_CGROUPS();
  EXPECT_EXIT(
      run_read_only(short_tree("required"), 1,
                    "cgroups are required (\"cgroups\": \"required\") but unavailable: cannot create "),
      ::testing::ExitedWithCode(0), "Read-only file system");
}

}  // namespace
}  // namespace arbor::testing
