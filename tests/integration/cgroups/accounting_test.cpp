// Accounting (SPEC §7, issue 13 item 6) on the real arbord: status shows each worker's CPU
// from its cgroup and each supervisor's for its whole subtree, the kernel's own figures;
// a second status of an idle tree gives the same figures (CgroupTree::cpu_usage keeps
// the readings of a subtree whose parent did not change); `metrics` exports workers only.
#include <signal.h>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tests/integration/cgroups/cgroup_env.h"
#include "tests/support/arbord_instance.h"
#include "tests/support/proc.h"

namespace arbor::testing {
namespace {

using nlohmann::json;

// usage_usec of a cgroup (relative to the v2 mount, as status shows it), read here.
std::uint64_t kernel_usec(const std::string& cgroup) {
  const auto usec = host::keyed_value(slurp(v2_mount() + cgroup + "/cpu.stat"), "usage_usec");
  EXPECT_TRUE(usec) << cgroup;
  return usec.value_or(0);
}

const json* find(const json& node, const std::string& path) {
  if (node["path"] == path) return &node;
  if (!node.contains("children")) return nullptr;
  for (const json& child : node["children"]) {
    if (const json* found = find(child, path)) return found;
  }
  return nullptr;
}

TEST(Accounting, StatusShowsTheKernelsCpuOfWorkersAndOfSupervisorSubtrees) {
  SKIP_WITHOUT_CGROUPS();
  ArbordInstance arbord;
  const json burn = {
      {"id", "burn"},
      {"command",
       {"/bin/sh", "-c", "i=0; while [ $i -lt 30000 ]; do i=$((i+1)); done; exec sleep infinity"}}};
  const json idle = {{"id", "idle"}, {"command", {"sleep", "infinity"}}};
  const json app = {{"id", "app"}, {"type", "supervisor"}, {"children", json::array({burn, idle})}};
  arbord.start({{"cgroups", "required"}, {"root", {{"children", json::array({app})}}}});
  ASSERT_TRUE(arbord.await_ready());
  // Done burning once it is `sleep`, asleep (S): then no process of the tree runs, and
  // the figures stand still.
  for (const char* path : {"app/burn", "app/idle"}) {
    const auto pid = arbord.pid_of(path);
    ASSERT_TRUE(pid) << path;
    const std::string proc = "/proc/" + std::to_string(*pid);
    ASSERT_TRUE(poll_until(
        [&] {
          const std::string stat = slurp(proc + "/stat");
          const auto close = stat.rfind(')');
          return slurp(proc + "/comm") == "sleep\n" && close != std::string::npos &&
                 stat.compare(close, 3, ") S") == 0;
        },
        10s))
        << path << ": " << slurp(proc + "/stat");
  }

  const auto first = arbord.request("status");
  ASSERT_TRUE(first);
  const json& root = (*first)["result"];
  for (const char* path : {"/", "app", "app/burn", "app/idle"}) {
    const json* node = find(root, path);
    ASSERT_NE(node, nullptr) << path;
    ASSERT_TRUE((*node)["cpu_usec"].is_number_unsigned()) << node->dump();
    EXPECT_EQ((*node)["cpu_usec"].get<std::uint64_t>(), kernel_usec((*node)["cgroup"])) << path;
  }
  const auto usec = [&](const char* path) { return (*find(root, path))["cpu_usec"].get<std::uint64_t>(); };
  EXPECT_GT(usec("app/burn"), 0u);
  EXPECT_GE(usec("app"), usec("app/burn") + usec("app/idle"));
  EXPECT_GE(usec("/"), usec("app"));

  // Nothing ran since: the same figures.
  const auto second = arbord.request("status");
  ASSERT_TRUE(second);
  for (const char* path : {"/", "app", "app/burn", "app/idle"}) {
    EXPECT_EQ((*find((*second)["result"], path))["cpu_usec"], (*find(root, path))["cpu_usec"]) << path;
  }

  // The human table gains MEMORY and CPU columns; app/burn's CPU in seconds.
  const RunResult table = arborctl(arbord.socket(), {"status"});
  EXPECT_EQ(table.status, 0);
  EXPECT_NE(table.out.find("LAST EXIT  MEMORY  CPU\n"), std::string::npos) << table.out;
  const std::string burn_cpu = fmt::format("{:.3f}s\n", static_cast<double>(usec("app/burn")) / 1e6);
  const auto row = table.out.find("    app/burn ");
  ASSERT_NE(row, std::string::npos) << table.out;
  EXPECT_EQ(table.out.substr(table.out.find('\n', row) - burn_cpu.size() + 1, burn_cpu.size()), burn_cpu)
      << table.out;

  const auto metrics = arbord.request("metrics");
  ASSERT_TRUE(metrics);
  const std::string text = (*metrics)["result"]["text"];
  EXPECT_NE(text.find("arbor_cpu_seconds_total{path=\"app/burn\"} "), std::string::npos) << text;
  // A supervisor's figure is its workers' sum: exported, sum() over path would count twice.
  EXPECT_EQ(text.find("arbor_cpu_seconds_total{path=\"app\"}"), std::string::npos) << text;
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
}

}  // namespace
}  // namespace arbor::testing
