// What a reexec must carry besides the workers (docs/DESIGN.md, "In-place upgrade"): the
// top-level settings (state_file, metrics), the group record with its cgroup instance,
// the workers' cgroup limits, and a fallback with cgroups on that kills the old tree
// but never arbord itself.
#include <signal.h>
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "tests/integration/daemon/metrics_util.h"
#include "tests/integration/reexec/reexec_util.h"

namespace arbor::testing {
namespace {

json adopted(const RunResult& r) { return r.out.empty() ? json(nullptr) : json::parse(r.out)["adopted"]; }

TEST(ReexecSettings, StateFileAndMetricsCarryOver) {
  ArbordInstance arbord;
  const std::string sigs = arbord.path("signals");
  const int port = metrics_util::free_port();
  const std::string state_file = arbord.path("custom.state");
  arbord.start({{"cgroups", "off"},
                {"state_file", state_file},
                {"metrics", {{"listen", listen_util::tcp(port)}}},
                {"root", {{"children", {trapping("a", sigs), trapping("b", sigs)}}}}});
  ASSERT_TRUE(arbord.await_ready());
  ASSERT_EQ(metrics_util::status_line(metrics_util::get(port, "/metrics")), "HTTP/1.1 200 OK");
  const RunResult r = arborctl(arbord.socket(), {"--json", "reexec"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(adopted(r), true) << r.out;
  EXPECT_EQ(metrics_util::status_line(metrics_util::get(port, "/metrics")), "HTTP/1.1 200 OK")
      << "metrics served again by the new program";
  ASSERT_EQ(arborctl(arbord.socket(), {"stop", "a"}).status, 0);
  EXPECT_NE(slurp(state_file).find("\"a\""), std::string::npos) << "the stop written to the configured file";
  EXPECT_FALSE(std::filesystem::exists(arbord.path("arbord.state"))) << "not to the default one";
  EXPECT_EQ(slurp(sigs), "");
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_TRUE(arbord.no_survivors());
}

// The group record still names the instance and every group after a reexec (a SIGKILL of
// the new program must leave the next arbord what to clean up), and a worker restarted
// after it gets its limits.
TEST(ReexecSettings, TheGroupRecordAndTheLimitsCarryOverWithCgroups) {
  if (const std::string why = cgroups_unusable(); !why.empty()) GTEST_SKIP() << why;
  ArbordInstance arbord;
  const std::string sigs = arbord.path("signals");
  json limited = trapping("b", sigs);
  limited["limits"] = {{"pids_max", 77}};
  // "auto": the limit is a warning where the pids controller is not delegated (then only
  // the record is checked).
  arbord.start(
      {{"cgroups", "auto"}, {"root", {{"max_restarts", 10}, {"children", {trapping("a", sigs), limited}}}}});
  ASSERT_TRUE(arbord.await_ready());
  const pid_t arbord_pid = arbord.arbord_pid();
  const std::string instance = std::filesystem::path(v2_mount() + cgroup_of(arbord_pid)).parent_path();
  const std::string record = arbord.socket() + ".groups";
  ASSERT_NE(slurp(record).find("c " + instance + "\n"), std::string::npos) << slurp(record);
  const auto pids = worker_pids(status_of(arbord.socket()));
  const std::string pids_max = v2_mount() + cgroup_of(pids.at("b")) + "/pids.max";
  const bool has_pids = std::filesystem::exists(pids_max);
  if (has_pids) {
    ASSERT_EQ(slurp(pids_max), "77\n");
  }

  const RunResult r = arborctl(arbord.socket(), {"--json", "reexec"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(adopted(r), true) << r.out;
  EXPECT_EQ(worker_pids(status_of(arbord.socket())), pids);
  const std::string text = slurp(record);
  EXPECT_NE(text.find("c " + instance + "\n"), std::string::npos) << text;
  for (const auto& [path, pid] : pids)
    EXPECT_NE(text.find("+" + std::to_string(pid) + " "), std::string::npos) << path;
  // b restarted by the new program: its cgroup renewed with the same limit.
  ::kill(pids.at("b"), SIGKILL);
  pid_t next = 0;
  ASSERT_TRUE(poll_until(
      [&] {
        const auto now = worker_pids(status_of(arbord.socket()));
        next = now.count("b") == 1 ? now.at("b") : 0;
        return next != 0 && next != pids.at("b");
      },
      10s));
  if (has_pids) {
    EXPECT_EQ(slurp(v2_mount() + cgroup_of(next) + "/pids.max"), "77\n");
  }
  EXPECT_EQ(arbord.arbord_pid(), arbord_pid);
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_TRUE(arbord.no_survivors());
}

// Past execve with a state it cannot read, with cgroups on: the old tree's workers are
// killed through the record (their cgroups too), arbord itself is not, and the tree runs again.
TEST(ReexecSettings, TheFallbackWithCgroupsKillsTheOldTreeButNotArbord) {
  if (const std::string why = cgroups_unusable(); !why.empty()) GTEST_SKIP() << why;
  ArbordInstance arbord;
  arbord.add_env("ARBOR_REEXEC_STATE_VERSION=99");
  arbord.add_env("ARBOR_REEXEC_SKIP_CHECK=1");
  const std::string sigs = arbord.path("signals");
  arbord.start(
      {{"cgroups", "required"},
       {"root", {{"max_restarts", 10}, {"children", {trapping("a", sigs), child("web", {"--daemonize"})}}}}});
  ASSERT_TRUE(arbord.await_ready());
  const pid_t arbord_pid = arbord.arbord_pid();
  const auto pids = worker_pids(status_of(arbord.socket()));
  const RunResult r = arborctl(arbord.socket(), {"--json", "reexec"});
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  EXPECT_EQ(adopted(r), false) << r.out;
  EXPECT_EQ(arbord.arbord_pid(), arbord_pid);
  for (const auto& [path, pid] : pids) EXPECT_TRUE(poll_until([pid = pid] { return dead(pid); }, 5s)) << path;
  EXPECT_TRUE(await_state(arbord.socket(), "a", "running"));
  EXPECT_TRUE(await_state(arbord.socket(), "web", "running"));
  EXPECT_FALSE(dead(arbord_pid));
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_TRUE(arbord.no_survivors());
}

}  // namespace
}  // namespace arbor::testing
