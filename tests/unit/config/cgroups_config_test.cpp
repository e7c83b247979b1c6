// "cgroups" at the top level and "limits" on workers and supervisors (SPEC §7).
#include <gtest/gtest.h>
#include <unistd.h>

#include "test_util.h"

namespace arbor::config::test {
namespace {

const char* kWorker = R"("id": "w", "command": ["/bin/sh"])";

TEST(CgroupsConfig, ModeDefaultsToAuto) {
  const LoadResult r = load_text(R"({"root": {}})", options());
  ASSERT_TRUE(r.tree);
  EXPECT_EQ(r.tree->cgroups, CgroupsMode::automatic);
}

TEST(CgroupsConfig, ModeSpellings) {
  for (const auto& [text, mode] : {std::pair{"auto", CgroupsMode::automatic},
                                   {"required", CgroupsMode::required},
                                   {"off", CgroupsMode::off}}) {
    const LoadResult r = load_text(std::string(R"({"cgroups": ")") + text + R"(", "root": {}})", options());
    ASSERT_TRUE(r.tree) << text;
    EXPECT_EQ(r.tree->cgroups, mode);
  }
  EXPECT_EQ(errors_of(R"({"cgroups": true, "root": {}})"),
            std::vector<std::string>{"/cgroups: expected \"auto\", \"required\" or \"off\", found true"});
}

TEST(CgroupsConfig, LimitsOnAWorker) {
  const ChildSpec c = first_child(std::string("{") + kWorker +
                                  R"(, "limits": {"memory_max": 268435456, "memory_high": 200000000,
                                      "pids_max": 64, "cpu_weight": 50, "cpu_max_percent": 100}})");
  EXPECT_EQ(c.limits->memory_max, 268435456);
  EXPECT_EQ(c.limits->memory_high, 200000000);
  EXPECT_EQ(c.limits->pids_max, 64);
  EXPECT_EQ(c.limits->cpu_weight, 50);
  EXPECT_EQ(c.limits->cpu_max_percent, 100);
  EXPECT_EQ(to_json(c)["limits"]["pids_max"], 64);
  // Accepted back by add --spec, unchanged.
  const ChildResult back = load_child(to_json(c), "", options());
  ASSERT_TRUE(back.child);
  EXPECT_EQ(back.child->limits, c.limits);
}

TEST(CgroupsConfig, LimitsOnSupervisorsAndTheRootAndTemplates) {
  const LoadResult r = load_text(
      R"({"root": {"limits": {"pids_max": 1000}, "children": [
           {"id": "s", "type": "supervisor", "limits": {"memory_max": 1048576}, "children": []},
           {"id": "d", "type": "dynamic_supervisor",
            "template": {"command": ["/bin/sh"], "limits": {"cpu_weight": 1}}}]}})",
      options());
  ASSERT_TRUE(r.tree) << ::testing::PrintToString(texts(r.errors));
  EXPECT_EQ(r.tree->root.limits->pids_max, 1000);
  EXPECT_EQ(r.tree->root.supervisor->children[0].limits->memory_max, 1048576);
  EXPECT_EQ(r.tree->root.supervisor->children[1].supervisor->child_template->limits->cpu_weight, 1);
}

TEST(CgroupsConfig, NoLimitsNoKeyInSpec) {
  const ChildSpec c = first_child(std::string("{") + kWorker + "}");
  EXPECT_TRUE(c.limits->empty());
  EXPECT_FALSE(to_json(c).contains("limits"));
}

TEST(CgroupsConfig, BadLimitsNameTheirPath) {
  const long cores = sysconf(_SC_NPROCESSORS_ONLN);
  const std::string over = std::to_string(100 * cores + 1);
  const std::string cpu_error =
      "/root/children/0/limits/cpu_max_percent: expected percent of one core (an integer) from 1 to " +
      std::to_string(100 * cores) + ", found " + over;
  const std::string swap_error =
      "/root/children/0/limits/swap: unknown key (expected memory_max, memory_high, pids_max, "
      "cpu_weight or cpu_max_percent)";
  EXPECT_EQ(worker_errors(R"("command": ["/bin/sh"], "limits": {"memory_max": "512M", "cpu_weight": 0,
                             "pids_max": -1, "cpu_max_percent": )" +
                          over + R"(, "swap": 1})"),
            (std::vector<std::string>{
                "/root/children/0/limits/memory_max: expected bytes (an integer) >= 1, found \"512M\"",
                "/root/children/0/limits/cpu_weight: expected an integer from 1 to 10000, found 0",
                "/root/children/0/limits/pids_max: expected an integer from 1 to 4194304, found -1",
                cpu_error, swap_error}));
  EXPECT_EQ(worker_errors(R"("command": ["/bin/sh"], "limits": 5)"),
            std::vector<std::string>{"/root/children/0/limits: expected an object, found 5"});
}

}  // namespace
}  // namespace arbor::config::test
