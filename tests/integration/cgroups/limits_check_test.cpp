// Limits arbord cannot apply (SPEC §7, issue 13 item 4), on the real arbord and this
// machine's real cgroup.controllers: with "cgroups": "auto" a warning at --check and at
// start naming the limit's JSON path, and the tree runs; with "required" an error, exit 2,
// and nothing starts. The test picks a limit whose controller arbord's cgroup does not
// offer (a hybrid host's v2 offers none); where every one is offered it skips, saying so.
#include <unistd.h>

#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/cgroups/cgroup_env.h"
#include "tests/support/proc.h"

namespace arbor::testing {
namespace {

using nlohmann::json;

struct Missing {
  std::string key;         // a limit key whose controller is not offered
  std::int64_t value = 0;  // a valid value for it
  std::string controller;
};

std::optional<Missing> missing_controller() {
  std::string offered;
  if (!controller_offered("pids", offered)) return Missing{"pids_max", 64, "pids"};
  if (!controller_offered("memory", offered)) return Missing{"memory_max", 1 << 26, "memory"};
  if (!controller_offered("cpu", offered)) return Missing{"cpu_weight", 50, "cpu"};
  return std::nullopt;
}

class LimitsCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const std::string why = cgroups_unusable(); !why.empty()) GTEST_SKIP() << why;
    auto m = missing_controller();
    if (!m)
      GTEST_SKIP() << "arbord's cgroup offers the pids, memory and cpu controllers: no limit is refused here";
    missing_ = *m;
    char dir[] = "/tmp/arbor-limitscheck-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  // A supervisor with the limit (it covers the subtree) over a worker with it too; the
  // worker is significant and exits 0 at once, so a started tree ends on its own.
  std::string config(const char* mode) {
    const json limits = {{missing_.key, missing_.value}};
    const json once = {{"id", "once"},
                       {"command", {ARBOR_TEST_CHILD, "--after", "0"}},
                       {"restart", "temporary"},
                       {"significant", true},
                       {"limits", limits}};
    const json grp = {{"id", "grp"},
                      {"type", "supervisor"},
                      {"restart", "temporary"},
                      {"significant", true},
                      {"auto_shutdown", "any_significant"},
                      {"limits", limits},
                      {"children", json::array({once})}};
    json tree = {{"socket", dir_ + "/arbord.sock"}, {"log_dir", dir_ + "/logs"}, {"cgroups", mode}};
    tree["root"] = {{"auto_shutdown", "any_significant"}, {"children", json::array({grp})}};
    const std::string path = dir_ + "/arbor-" + mode + ".json";
    std::ofstream(path) << tree.dump();
    return path;
  }
  std::string path_of(const char* where) const { return std::string(where) + "/limits/" + missing_.key; }
  std::string needs() const {
    return "needs the " + missing_.controller + " controller, which arbord cannot use";
  }

  Missing missing_;
  std::string dir_;
};

TEST_F(LimitsCheck, AutoWarnsAtCheckNamingEachLimitAndSaysOk) {
  const RunResult r = run({ARBORD_BIN, "--check", "--config", config("auto")});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "ok\n");
  EXPECT_NE(r.err.find("warning: "), std::string::npos) << r.err;
  for (const char* where : {"/root/children/0", "/root/children/0/children/0"}) {
    EXPECT_NE(r.err.find(path_of(where) + ": " + needs()), std::string::npos) << r.err;
  }
  EXPECT_NE(r.err.find("Delegate=yes"), std::string::npos) << r.err;
}

TEST_F(LimitsCheck, RequiredIsAnErrorAtCheck) {
  const RunResult r = run({ARBORD_BIN, "--check", "--config", config("required")});
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find(path_of("/root/children/0") + ": " + needs()), std::string::npos) << r.err;
}

TEST_F(LimitsCheck, AutoWarnsAtStartAndTheTreeRuns) {
  const RunResult r = run({ARBORD_BIN, "--config", config("auto")}, 20s);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find(path_of("/root/children/0/children/0") + ": " + needs()), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("grp/once: started"), std::string::npos) << r.err;  // the tree ran
}

TEST_F(LimitsCheck, RequiredRefusesToStartAndNothingRuns) {
  const RunResult r = run({ARBORD_BIN, "--config", config("required")}, 20s);
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find(path_of("/root/children/0") + ": " + needs()), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("started"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace arbor::testing
