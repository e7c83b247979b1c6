// unavailable_limits (daemon/host/cgroup_check.h): which limits of a tree need a controller
// arbord's cgroup does not offer, at each limit's JSON path, for --check and the start.
#include "daemon/host/cgroup_check.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/load.h"

namespace arbor::host {
namespace {

config::TreeSpec tree_of(const std::string& text) {
  auto loaded = config::load_text(text);
  EXPECT_TRUE(loaded.errors.empty()) << (loaded.errors.empty() ? "" : loaded.errors[0].message);
  return *loaded.tree;
}

// A worker, a supervisor (its limit covers its subtree) with a worker below it, and a
// dynamic supervisor's template: every place a limit can be written.
const char* const kTree = R"({"root": {"children": [
  {"id": "a", "command": ["/bin/sh"], "limits": {"pids_max": 64, "cpu_weight": 50}},
  {"id": "g", "type": "supervisor", "limits": {"memory_max": 1048576},
   "children": [{"id": "b", "command": ["/bin/sh"],
                 "limits": {"memory_high": 524288, "cpu_max_percent": 50}}]},
  {"id": "d", "type": "dynamic_supervisor",
   "template": {"command": ["/bin/sh"], "limits": {"pids_max": 8}}}]}})";

std::vector<std::string> pointers(const std::vector<config::Diagnostic>& ds) {
  std::vector<std::string> out;
  for (const auto& d : ds) out.push_back(d.pointer);
  return out;
}

TEST(CgroupCheck, EveryLimitWithoutItsControllerIsNamedAtItsPath) {
  const OfferedControllers offered{.found = true, .cgroup = "/sys/fs/cgroup/arbor", .names = {"cpu"}};
  const auto ds = unavailable_limits(tree_of(kTree), offered);
  EXPECT_EQ(pointers(ds), (std::vector<std::string>{"/root/children/0/limits/pids_max",
                                                    "/root/children/1/limits/memory_max",
                                                    "/root/children/1/children/0/limits/memory_high",
                                                    "/root/children/2/template/limits/pids_max"}));
  ASSERT_FALSE(ds.empty());
  EXPECT_EQ(ds[0].message,
            "needs the pids controller, which arbord cannot use (/sys/fs/cgroup/arbor offers only [cpu] in "
            "cgroup.controllers; under systemd: Delegate=yes)");
}

TEST(CgroupCheck, AllOfferedIsNoDiagnostic) {
  const OfferedControllers offered{
      .found = true, .cgroup = "/", .names = {"cpuset", "cpu", "memory", "pids"}};
  EXPECT_TRUE(unavailable_limits(tree_of(kTree), offered).empty());
}

TEST(CgroupCheck, WithoutAUsableCgroupV2EveryLimitSaysSo) {
  const auto ds = unavailable_limits(tree_of(kTree), OfferedControllers{});
  ASSERT_EQ(ds.size(), 6u);  // every limit in kTree
  for (const auto& d : ds)
    EXPECT_NE(d.message.find("(no cgroup v2 is usable;"), std::string::npos) << d.message;
}

TEST(CgroupCheck, ATreeWithoutLimitsNeedsNothing) {
  const auto t = tree_of(R"({"root": {"children": [{"id": "a", "command": ["/bin/sh"]}]}})");
  EXPECT_TRUE(unavailable_limits(t, OfferedControllers{}).empty());
}

}  // namespace
}  // namespace arbor::host
