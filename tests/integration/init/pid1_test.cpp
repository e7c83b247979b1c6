// arbord as PID 1 of a real pid namespace (docs/CONTAINERS.md): it reaps what is reparented
// to it, stops the tree in order on SIGTERM, kills and waits for whatever is left before
// it exits, and exits with the statuses a scheduler reads (docs/ARBORD.md). Every test runs
// three times: as root, as root of a user namespace (no real privilege, no writable
// cgroupfs), and as uid 65534 inside and out.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include <gtest/gtest.h>

#include "tests/integration/init/pidns.h"
#include "tests/support/arbord_instance.h"
#include "tests/support/proc.h"

namespace arbor::testing {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

json tree(json children, json extra = json::object()) {
  json t = {{"root", {{"strategy", "one_for_one"}, {"max_restarts", 3}, {"max_seconds", 5}}}};
  t["root"]["children"] = std::move(children);
  for (auto& [k, v] : extra.items()) {
    if (k == "root") {
      for (auto& [rk, rv] : v.items()) t["root"][rk] = rv;
    } else {
      t[k] = v;
    }
  }
  return t;
}

json exited(const std::string& path, json exit, const std::string& reason) {
  return {{"event", "exited"}, {"path", path}, {"exit", std::move(exit)}, {"reason", reason}};
}

class Pid1 : public ::testing::TestWithParam<NsMode> {
 protected:
  void SetUp() override {
    NsLaunch l = ns_launch(GetParam());
    if (!l.skip.empty()) GTEST_SKIP() << l.skip;
    arbord.set_launch(std::move(l.launch));
  }

  // Starts the tree and waits for READY=1; records arbord's namespace.
  bool boot(json t, Watch watch = Watch::from_ready) {
    arbord.start(std::move(t), {}, watch);
    if (!arbord.await_ready()) return false;
    pid1 = arbord.arbord_pid();
    ns = pid_ns_of(pid1);
    return pid1 > 0 && !ns.empty();
  }

  // arbord has exited: nothing of its namespace is left on the machine.
  void expect_namespace_gone() {
    EXPECT_TRUE(processes_in(ns).empty()) << "processes left in " << ns;
    EXPECT_TRUE(arbord.no_survivors());
  }

  ArbordInstance arbord;
  pid_t pid1 = -1;
  std::string ns;
};

TEST_P(Pid1, ArbordIsPid1InInitMode) {
  ASSERT_TRUE(boot(tree(json::array({child("a", {})}))));
  EXPECT_TRUE(arbord.await("init mode: arbord is PID 1"));
  const auto inside = ns_processes(pid1);
  ASSERT_TRUE(inside) << "cannot read /proc/" << pid1 << "/root/proc";
  ASSERT_FALSE(inside->empty());
  EXPECT_EQ(inside->front().pid, 1);
  EXPECT_EQ(inside->front().name, "arbord");
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  expect_namespace_gone();
}

// A worker's subshell forks a grandchild and exits; the grandchild, reparented to PID 1,
// exits in turn: no zombie is left in the namespace (read from its own /proc).
TEST_P(Pid1, ReapsADoubleForkedGrandchild) {
  const std::string marker = arbord.path("grandchild.done");
  const json w = {{"id", "w"},
                  {"command",
                   {"/bin/sh", "-c", "(/bin/sh -c 'echo done > \"$1\"' sh \"$1\" &); exec \"$2\"", "w",
                    marker, test_child()}}};
  ASSERT_TRUE(boot(tree(json::array({w}))));
  std::vector<NsProcess> seen;
  // Bounded wait for the kernel's reparenting and the reap (no event announces them):
  // arbord and the worker alone, and no zombie.
  const bool clean = poll_until(
      [&] {
        auto p = ns_processes(pid1);
        if (!p) return false;
        seen = *p;
        const bool zombie =
            std::any_of(seen.begin(), seen.end(), [](const NsProcess& x) { return x.state == 'Z'; });
        return std::filesystem::exists(marker) && !zombie && seen.size() == 2;
      },
      5s);
  EXPECT_TRUE(clean) << "namespace: " << describe(seen);
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  expect_namespace_gone();
}

// SIGTERM: the tree stops in reverse order, well within its shutdown times; then what a
// worker left running outside its group (a daemonized process ignoring SIGTERM) is killed
// and reaped by arbord itself before it exits 0.
TEST_P(Pid1, SigtermStopsTheTreeInReverseOrderThenEmptiesTheNamespace) {
  const json shutdown = {{"shutdown", 2000}};
  // c is ready once its daemon runs, so the SIGTERM cannot come first.
  const json c = child("c", {"--daemonize", "--ready-fd", "3"}, {{"shutdown", 2000}, {"ready", {{"fd", 3}}}});
  // Without cgroups, so that something is left for the final sweep (with cgroups the stop
  // of c kills its daemon with its cgroup: the Containment tests).
  ASSERT_TRUE(
      boot(tree(json::array({child("a", {}, shutdown), child("b", {}, shutdown), c}), {{"cgroups", "off"}})));
  const auto t0 = Clock::now();
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_LT(Clock::now() - t0, 6s);  // the sum of the shutdown times
  std::vector<std::string> order;
  for (const auto& e : arbord.events_matching({{"event", "exited"}})) {
    EXPECT_EQ(e["reason"], "shutdown") << e.dump();
    if (e["path"] != "/") order.push_back(e["path"].get<std::string>());
  }
  EXPECT_EQ(order, (std::vector<std::string>{"c", "b", "a"}));
  EXPECT_EQ(arbord.matching("init: killed and reaped [1-9][0-9]* processes").size(), 1u);
  EXPECT_EQ(arbord.matching("init: no process left; exiting with status 0").size(), 1u);
  expect_namespace_gone();
}

TEST_P(Pid1, SigintAndSigquitStopTheTreeToo) {
  for (const int signo : {SIGINT, SIGQUIT}) {
    ArbordInstance again;
    again.set_launch(ns_launch(GetParam()).launch);
    again.start(tree(json::array({child("a", {})})));
    ASSERT_TRUE(again.await_ready());
    again.signal(signo);
    EXPECT_EQ(again.wait_exit(), 0) << strsignal(signo);
    EXPECT_EQ(again.events_matching(exited("a", {{"signal", "TERM"}}, "shutdown")).size(), 1u);
  }
}

// A signal PID 1 would drop by default is handled: logged and ignored, arbord goes on.
TEST_P(Pid1, SigusrIsLoggedAndIgnored) {
  ASSERT_TRUE(boot(tree(json::array({child("a", {})}))));
  arbord.signal(SIGUSR1);
  EXPECT_TRUE(arbord.await("SIGUSR1: ignored"));
  EXPECT_TRUE(arbord.request("status"));
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
}

// A worker that ignores SIGTERM is SIGKILLed at its shutdown time, with the grandchildren of
// its group, and the namespace still ends clean.
TEST_P(Pid1, IgnoringSigtermIsKilledAtTheShutdownTime) {
  ASSERT_TRUE(boot(
      tree(json::array({child("a", {}), child("stubborn", {"--ignore-term", "--fork", "2", "--ready-fd", "3"},
                                              {{"shutdown", 500}, {"ready", {{"fd", 3}}}})}))));
  const auto t0 = Clock::now();
  arbord.signal(SIGTERM);
  ASSERT_TRUE(arbord.await_event(exited("stubborn", {{"signal", "KILL"}}, "shutdown")));
  EXPECT_GE(Clock::now() - t0, 450ms);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_EQ(arbord.events_matching(exited("a", {{"signal", "TERM"}}, "shutdown")).size(), 1u);
  expect_namespace_gone();
}

TEST_P(Pid1, RootGivingUpExits3) {
  arbord.start(tree(json::array({child("a", {}), child("crash", {"--after", "100", "--exit", "1"})}),
                    {{"root", {{"max_restarts", 0}}}}),
               {}, Watch::none);
  EXPECT_EQ(arbord.wait_exit(), 3);
  EXPECT_TRUE(arbord.no_survivors());
}

TEST_P(Pid1, BootFailureExits1) {
  arbord.start(tree(json::array({child("a", {}), child("never", {"--after", "50", "--exit", "1"},
                                                       {{"ready", {{"fd", 3}, {"timeout", 5000}}}})})),
               {}, Watch::none);
  EXPECT_EQ(arbord.wait_exit(), 1);
  EXPECT_EQ(arbord.matching("boot failed: never could not start").size(), 1u);
  EXPECT_TRUE(arbord.no_survivors());
}

// auto_shutdown_exit_code "child": a job container exits with its job's status.
json job_tree(json job, bool child_code = true) {
  job["id"] = "job";
  job["restart"] = "temporary";
  job["significant"] = true;
  json extra = {{"root", {{"auto_shutdown", "any_significant"}}}};
  if (child_code) extra["auto_shutdown_exit_code"] = "child";
  return tree(json::array({child("sidecar", {}), job}), extra);
}

TEST_P(Pid1, AutoShutdownExitsWithTheChildsCode) {
  arbord.start(job_tree(child("x", {"--after", "100", "--exit", "7"})), {}, Watch::none);
  EXPECT_EQ(arbord.wait_exit(), 7);
  EXPECT_EQ(arbord.matching("auto_shutdown\\); exiting with status 7").size(), 1u);
  EXPECT_TRUE(arbord.no_survivors());
}

TEST_P(Pid1, AutoShutdownOfAKilledChildExits137) {
  const json job = {{"command", {"/bin/sh", "-c", "sleep 0.1; kill -KILL $$"}}};
  arbord.start(job_tree(job), {}, Watch::none);
  EXPECT_EQ(arbord.wait_exit(), 128 + SIGKILL);
  EXPECT_TRUE(arbord.no_survivors());
}

TEST_P(Pid1, AutoShutdownExitsZeroByDefault) {
  arbord.start(job_tree(child("x", {"--after", "100", "--exit", "7"}), false), {}, Watch::none);
  EXPECT_EQ(arbord.wait_exit(), 0);
}

// --init without being PID 1: the same duties, and the final sweep goes through arbord's own
// descendants (each reparented to it, the subreaper) instead of kill(-1).
TEST(InitFlag, KillsAndReapsWhatWorkersLeftBeforeExiting) {
  ArbordInstance arbord;
  const json c = child("c", {"--daemonize", "--ready-fd", "3"}, {{"ready", {{"fd", 3}}}});
  arbord.start(tree(json::array({child("a", {}), c}), {{"cgroups", "off"}}), {"--init"});  // as above
  ASSERT_TRUE(arbord.await_ready());
  EXPECT_EQ(arbord.matching("init mode: --init").size(), 1u);
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_EQ(arbord.matching("init: killed and reaped 1 processes").size(), 1u);
  EXPECT_TRUE(arbord.no_survivors());
}

TEST(InitFlag, OffByDefaultOutsidePid1) {
  ArbordInstance arbord;
  arbord.start(tree(json::array({child("a", {})})));
  ASSERT_TRUE(arbord.await_ready());
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_TRUE(arbord.matching("init mode|init: ").empty());
}

INSTANTIATE_TEST_SUITE_P(Namespaces, Pid1,
                         ::testing::Values(NsMode::pid, NsMode::user_root, NsMode::user_nobody),
                         [](const auto& info) { return to_string(info.param); });

}  // namespace
}  // namespace arbor::testing
