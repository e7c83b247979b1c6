// Nothing escapes a worker's cgroup (SPEC §7): a daemon left by a double fork into a new
// session dies before the worker is reported exited (so before its restart), at a stop, at
// arbord's SIGTERM and, after a kill -9 of arbord, at the next arbord's start; a fork bomb
// ends with its stop; 1,000 workers leave no cgroup behind.
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <filesystem>
#include <regex>

#include <gtest/gtest.h>

#include "tests/integration/cgroups/cgroup_env.h"
#include "tests/support/arbord_instance.h"
#include "tests/support/proc.h"

namespace arbor::testing {
namespace {

using nlohmann::json;

json tree(json children) {
  return {{"cgroups", "required"},
          {"root", {{"max_restarts", 100}, {"max_seconds", 10}, {"children", std::move(children)}}}};
}

// The pid of the latest "daemon pid=P" line in a worker's log (0 until there is one).
pid_t daemon_pid(ArbordInstance& arbord, const std::string& log) {
  pid_t pid = 0;
  poll_until(
      [&] {
        const std::string text = slurp(arbord.path("logs/" + log));
        const std::regex line(R"(daemon pid=(\d+))");
        for (auto it = std::sregex_iterator(text.begin(), text.end(), line); it != std::sregex_iterator();
             ++it)
          pid = std::stoi((*it)[1]);
        return pid > 0;
      },
      5s);
  return pid;
}

TEST(Containment, ADaemonIsGoneBeforeItsWorkersRestart) {
  SKIP_WITHOUT_CGROUPS();
  ArbordInstance arbord;
  // Exit 3: round 1 looked for escapees only at an exit 0; the cgroup needs no guess.
  arbord.start(tree(json::array({child("web", {"--daemonize", "--after", "0", "--exit", "3"})})), {},
               Watch::from_boot);
  ASSERT_TRUE(arbord.await_ready());
  ASSERT_TRUE(arbord.await_event({{"event", "exited"}, {"path", "web"}}));
  const pid_t first = daemon_pid(arbord, "web.log");
  ASSERT_GT(first, 0);
  EXPECT_TRUE(dead(first)) << "the daemon outlived its worker's exit";
  arbord.await(R"( web: exited but left processes \d+ running in other sessions)");
  ASSERT_TRUE(arbord.await_event({{"event", "started"}, {"path", "web"}}));
  // The restart runs its course in the renewed cgroup: Linux 6.x kills at birth a child
  // cloned into a cgroup that was ever cgroup.kill'ed (regression: it exited by KILL).
  ASSERT_TRUE(arbord.await_event({{"event", "exited"}, {"path", "web"}, {"exit", {{"code", 3}}}}));
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_TRUE(arbord.no_survivors());
}

TEST(Containment, AStopKillsWhatTheWorkerLeftInItsCgroup) {
  SKIP_WITHOUT_CGROUPS();
  ArbordInstance arbord;
  // The launcher stays (no --after): its daemon is in another session, outside its group.
  arbord.start(tree(json::array({child("web", {"--daemonize"})})));
  ASSERT_TRUE(arbord.await_ready());
  const pid_t daemon = daemon_pid(arbord, "web.log");
  ASSERT_GT(daemon, 0);
  const std::string instance = instance_of(arbord.pid());
  ASSERT_FALSE(instance.empty());
  const std::string dir = instance + "/tree/c-web";
  // The launcher and its daemon, once the middle process of the double fork has gone (under
  // load it was once still there: 3).
  EXPECT_TRUE(poll_until([&] { return procs_of(dir).size() == 2u; }, 5s)) << procs_of(dir).size();
  const auto status = arbord.request("status", {{"path", "web"}});
  ASSERT_TRUE(status && (*status)["ok"] == true) << status->dump();
  EXPECT_EQ((*status)["result"]["cgroup"], dir.substr(v2_mount().size()));
  const auto reply = arbord.request("stop", {{"path", "web"}});
  ASSERT_TRUE(reply && (*reply)["ok"] == true);
  EXPECT_TRUE(dead(daemon)) << "the daemon outlived its worker's stop";
  EXPECT_TRUE(procs_of(dir).empty());
  EXPECT_TRUE(std::filesystem::exists(dir)) << "a stopped worker keeps its cgroup for its next start";
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_FALSE(std::filesystem::exists(instance)) << "arbord left its cgroups behind";
  EXPECT_TRUE(arbord.no_survivors());
}

TEST(Containment, ArbordsSigtermKillsWhatWorkersLeft) {
  SKIP_WITHOUT_CGROUPS();
  ArbordInstance arbord;
  arbord.start(tree(json::array({child("web", {"--daemonize"}), child("other", {})})));
  ASSERT_TRUE(arbord.await_ready());
  const pid_t daemon = daemon_pid(arbord, "web.log");
  ASSERT_GT(daemon, 0);
  const std::string instance = instance_of(arbord.pid());
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_TRUE(dead(daemon));
  EXPECT_FALSE(std::filesystem::exists(instance));
  EXPECT_TRUE(arbord.no_survivors());
}

TEST(Containment, TheNextArbordKillsWhatASigkilledOneLeftInItsCgroups) {
  SKIP_WITHOUT_CGROUPS();
  ArbordInstance first;
  const json config = [&] {
    json c = tree(json::array({child("web", {"--daemonize"})}));
    c["socket"] = first.path("arbord.sock");
    c["log_dir"] = first.path("logs");
    return c;
  }();
  first.start(config);
  ASSERT_TRUE(first.await_ready());
  const pid_t daemon = daemon_pid(first, "web.log");
  ASSERT_GT(daemon, 0);
  const std::string instance = instance_of(first.pid());
  first.signal(SIGKILL);
  EXPECT_EQ(first.wait_exit(), 128 + SIGKILL);
  EXPECT_FALSE(dead(daemon)) << "nothing but the cgroup holds the daemon: it should still run";

  ArbordInstance second;
  second.start(config, {}, Watch::from_boot);
  second.await(" killed \\d+ leftover processes in " + instance + " of a previous arbord");
  second.await(R"(control: listening on)");  // after the line above: before anything starts
  int status = 0;
  EXPECT_TRUE(poll_until([&] { return waitpid(daemon, &status, WNOHANG) == daemon; }, 5s));
  EXPECT_FALSE(std::filesystem::exists(instance)) << "the dead arbord's cgroups are still there";
  second.signal(SIGTERM);
  EXPECT_EQ(second.wait_exit(), 0);
  EXPECT_TRUE(second.no_survivors());
}

// Every round a new session leader that forks again: nothing stays in the worker's group.
json fork_bomb(const json& limits) {
  json w = {{"id", "bomb"},
            {"command",
             {"/bin/sh", "-c", "while :; do setsid sh -c 'sleep 1000 & sleep 1000' & sleep 0.01; done"}}};
  if (!limits.empty()) w["limits"] = limits;
  return w;
}

// A stop of the bomb leaves nothing in its cgroup, and arbord exits clean after it.
void expect_the_stop_ends_it(ArbordInstance& arbord, const std::string& dir) {
  const auto reply = arbord.request("stop", {{"path", "bomb"}});
  ASSERT_TRUE(reply && (*reply)["ok"] == true);
  EXPECT_TRUE(procs_of(dir).empty()) << procs_of(dir).size() << " processes of the bomb survived its stop";
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_TRUE(arbord.no_survivors());
}

TEST(Containment, AStopEndsAForkBomb) {
  SKIP_WITHOUT_CGROUPS();
  ArbordInstance arbord;
  arbord.start(tree(json::array({fork_bomb(json::object())})));
  ASSERT_TRUE(arbord.await_ready());
  const std::string dir = instance_of(arbord.pid()) + "/tree/c-bomb";
  ASSERT_TRUE(poll_until([&] { return procs_of(dir).size() > 100; }, 10s));
  expect_the_stop_ends_it(arbord, dir);
}

// Where arbord's cgroup offers the pids controller: the same bomb under "pids_max" cannot
// grow past it (the kernel refuses its forks, counted in pids.events), and a stop still
// ends all of it. Elsewhere the test above bounds the bomb by time only.
TEST(Containment, PidsMaxBoundsAForkBombAndAStopEndsIt) {
  SKIP_WITHOUT_CGROUPS();
  std::string offered;
  if (!controller_offered("pids", offered)) {
    GTEST_SKIP()
        << "no v2 pids controller offered to this cgroup (cgroup.controllers: \"" << offered
        << "\"): pids_max cannot bound a fork bomb here (Containment.AStopEndsAForkBomb bounds it by time)";
  }
  ArbordInstance arbord;
  arbord.start(tree(json::array({fork_bomb({{"pids_max", 40}})})));
  ASSERT_TRUE(arbord.await_ready());
  const std::string dir = instance_of(arbord.pid()) + "/tree/c-bomb";
  EXPECT_EQ(slurp(dir + "/pids.max"), "40\n");
  // The kernel has refused a fork: pids.events' "max" counts them.
  ASSERT_TRUE(poll_until([&] { return slurp(dir + "/pids.events").find("max 0") == std::string::npos; }, 10s))
      << slurp(dir + "/pids.events");
  EXPECT_LE(procs_of(dir).size(), 40u);
  expect_the_stop_ends_it(arbord, dir);
}

TEST(Containment, AThousandWorkersLeaveNoCgroupBehind) {
  SKIP_WITHOUT_CGROUPS();
  ArbordInstance arbord;
  json children = json::array();
  for (int i = 0; i < 1000; ++i) {
    children.push_back(json{{"id", "w" + std::to_string(i)},
                            {"command", {"/bin/sleep", "1000"}},
                            {"stdout", "null"},
                            {"stderr", "null"}});
  }
  json sup = {{"id", "s"}, {"type", "supervisor"}, {"children", std::move(children)}};
  arbord.start(tree(json::array({sup})));
  ASSERT_TRUE(arbord.await_ready(60s));
  const std::string instance = instance_of(arbord.pid());
  EXPECT_EQ(cgroup_dirs_below(instance + "/tree/c-s"), 1000u);
  auto reply = arbord.request("stop", {{"path", "s"}}, 60s);
  ASSERT_TRUE(reply && (*reply)["ok"] == true);
  reply = arbord.request("remove", {{"path", "s"}});
  ASSERT_TRUE(reply && (*reply)["ok"] == true) << reply->dump();
  EXPECT_FALSE(std::filesystem::exists(instance + "/tree/c-s"));
  EXPECT_EQ(cgroup_dirs_below(instance + "/tree"), 0u);
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_FALSE(std::filesystem::exists(instance));
  EXPECT_TRUE(arbord.no_survivors());
}

// Where arbord's cgroup offers the memory controller (not on a hybrid host's v2, such as
// the one this was written on): a worker past its memory_max is OOM-killed, reported so,
// and restarted.
TEST(Containment, AWorkerPastItsMemoryMaxIsReportedOom) {
  SKIP_WITHOUT_CGROUPS();
  std::string offered;
  if (!controller_offered("memory", offered)) {
    GTEST_SKIP() << "no v2 memory controller offered to this cgroup (cgroup.controllers: \"" << offered
                 << "\"): memory_max and OOM kills cannot be tested here";
  }
  if (!std::filesystem::exists("/usr/bin/python3")) GTEST_SKIP() << "no /usr/bin/python3 to allocate memory";
  ArbordInstance arbord;
  const json hog = {
      {"id", "hog"},
      {"command", {"/usr/bin/python3", "-c", "b = bytearray(512 << 20); import time; time.sleep(60)"}},
      {"limits", {{"memory_max", 64 << 20}}}};
  arbord.start(tree(json::array({hog})), {}, Watch::from_boot);
  const auto exited = arbord.await_event({{"event", "exited"}, {"path", "hog"}});
  ASSERT_TRUE(exited);
  EXPECT_EQ((*exited)["exit"]["oom"], true) << exited->dump();
  EXPECT_EQ((*exited)["reason"], "abnormal");
  ASSERT_TRUE(arbord.await_event({{"event", "started"}, {"path", "hog"}}));
  const auto status = arbord.request("status", {{"path", "hog"}});
  ASSERT_TRUE(status);
  EXPECT_EQ((*status)["result"]["last_exit"]["oom"], true);
  arbord.await("hog: exited, pid \\d+, signal KILL \\(killed by the OOM killer");
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
}

TEST(Containment, OffRunsWithoutCgroups) {
  ArbordInstance arbord;
  // A config cannot make cgroups unavailable; where they are, "off" must run without any.
  json c = tree(json::array({child("w", {})}));
  c["cgroups"] = "off";
  arbord.start(c);
  ASSERT_TRUE(arbord.await_ready());
  const auto status = arbord.request("status", {{"path", "w"}});
  ASSERT_TRUE(status);
  EXPECT_TRUE((*status)["result"]["cgroup"].is_null());
  EXPECT_TRUE(arbord.matching("cgroups unavailable").empty());
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
}

}  // namespace
}  // namespace arbor::testing
