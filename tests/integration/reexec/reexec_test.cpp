// `arborctl reexec` on a real arbord (docs/DESIGN.md, "In-place upgrade"): the same pid,
// every worker kept and never signalled, the state carried over, and the refusals that
// leave the old program in charge.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>

#include "arbor_version.h"
#include "tests/integration/reexec/reexec_util.h"

namespace arbor::testing {
namespace {

// "2026-12-04T02:37:03.718161Z" (status' RFC 3339, UTC) as seconds since the epoch.
double unix_seconds(const json& rfc3339) {
  std::tm tm{};
  double sec = 0;
  const std::string text = rfc3339.get<std::string>();
  EXPECT_EQ(std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%lfZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                        &tm.tm_hour, &tm.tm_min, &sec),
            6)
      << text;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<double>(timegm(&tm)) + sec;
}

json tree(json children) {
  return {{"cgroups", "off"}, {"root", {{"max_restarts", 10}, {"children", std::move(children)}}}};
}

TEST(Reexec, KeepsEveryWorkerUnsignalledAndTheStateCarriesOver) {
  ArbordInstance arbord;
  const std::string sigs = arbord.path("signals");
  const std::string gate = arbord.path("ready-gate");
  write_file(gate, "");
  // `r` is ready once the gate file exists: a restart while it is absent waits for readiness.
  const std::string ready_script =
      "while [ ! -e " + gate + " ]; do sleep 0.02; done; echo >&3; exec sleep 100000";
  arbord.start(tree({trapping("a", sigs),
                     trapping("b", sigs),
                     {{"id", "r"},
                      {"command", {"/bin/sh", "-c", ready_script}},
                      {"ready", {{"fd", 3}, {"timeout", 60000}}}},
                     {{"id", "jobs"}, {"type", "dynamic_supervisor"}, {"template", trapping("", sigs)}}}));
  ASSERT_TRUE(arbord.await_ready());
  const pid_t arbord_pid = arbord.arbord_pid();
  ASSERT_EQ(arborctl(arbord.socket(), {"add", "jobs"}).out, "jobs/1\n");
  ASSERT_EQ(arborctl(arbord.socket(), {"add", "jobs"}).out, "jobs/2\n");
  ASSERT_EQ(arborctl(arbord.socket(), {"stop", "jobs/1"}).status, 0);  // removed: next id stays 3
  // One restart of b (counted), and r restarting, waiting for its readiness.
  ::kill(*arbord.pid_of("b"), SIGKILL);
  ASSERT_TRUE(arbord.await_event({{"event", "started"}, {"path", "b"}}));
  ::unlink(gate.c_str());
  ::kill(*arbord.pid_of("r"), SIGKILL);
  ASSERT_TRUE(arbord.await_event({{"event", "restarting"}, {"path", "r"}}));
  ASSERT_TRUE(await_state(arbord.socket(), "r", "starting"));
  const json before = status_of(arbord.socket());
  const auto pids = worker_pids(before);
  ASSERT_EQ(pids.size(), 4u);  // a, b, r, jobs/2
  Control watcher;
  ASSERT_TRUE(watcher.connect(arbord.socket()) && watcher.watch());

  const RunResult r = arborctl(arbord.socket(), {"--json", "reexec"});
  ASSERT_EQ(r.status, 0) << r.err;
  const json reply = json::parse(r.out);
  EXPECT_EQ(reply["version"], ARBOR_VERSION);
  EXPECT_EQ(reply["adopted"], true);

  // The watch is disconnected cleanly (EOF), and may resume with --since.
  EXPECT_TRUE(poll_until([&] { return !watcher.drain(); }, 10s));
  EXPECT_EQ(arbord.arbord_pid(), arbord_pid);
  const json after = status_of(arbord.socket());
  EXPECT_EQ(worker_pids(after), pids);
  for (const char* path : {"a", "b", "r", "jobs/2"}) {
    EXPECT_EQ(find_node(after, path)->at("restarts"), find_node(before, path)->at("restarts")) << path;
  }
  EXPECT_EQ(find_node(after, "b")->at("restarts"), 1);
  EXPECT_EQ(find_node(after, "r")->at("state"), "starting");
  EXPECT_EQ(find_node(after, "jobs/1"), nullptr);
  EXPECT_EQ(arborctl(arbord.socket(), {"add", "jobs"}).out, "jobs/3\n");
  // The readiness wait goes on in the new program: r is started once ready.
  write_file(gate, "");
  EXPECT_TRUE(await_state(arbord.socket(), "r", "running"));
  EXPECT_EQ(worker_pids(status_of(arbord.socket())).at("r"), pids.at("r"));
  // seq goes on from where it was, and the history replays across the exec.
  Control resumed;
  ASSERT_TRUE(resumed.connect(arbord.socket()));
  auto replay = resumed.call("watch", {{"since", 0}});
  ASSERT_TRUE(replay && replay->value("ok", false)) << (replay ? replay->dump() : "timeout");
  std::uint64_t expect = 1;
  bool saw_jobs3 = false;
  while (auto e = resumed.next_event(2s)) {
    EXPECT_EQ((*e)["seq"], expect) << e->dump();
    expect = (*e)["seq"].get<std::uint64_t>() + 1;
    saw_jobs3 = saw_jobs3 || ((*e)["path"] == "jobs/3" && (*e)["event"] == "added");
    if (saw_jobs3 && (*e)["path"] == "r" && (*e)["event"] == "started") break;  // readiness, after it
  }
  EXPECT_TRUE(saw_jobs3);
  EXPECT_EQ(slurp(sigs), "");  // no worker got a signal
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_TRUE(arbord.no_survivors());
}

// An operator stop and a pending backoff restart carry over in the reexec's state, not by
// the state file (removed before the reexec): the stopped child stays stopped, the delayed
// restart keeps its deadline and fires in the new program.
TEST(Reexec, AnOperatorStopAndABackoffDeadlineCarryOver) {
  ArbordInstance arbord;
  const std::string sigs = arbord.path("signals");
  const std::string stops = arbord.path("stops.state");
  const auto crashing = [](const char* id, int delay_ms) {
    return json{{"id", id},
                {"command", {"/bin/sh", "-c", "exit 3"}},
                {"backoff", {{"initial_ms", delay_ms}, {"max_ms", delay_ms}}}};
  };
  json t = tree({trapping("s", sigs), crashing("late", 600000), crashing("soon", 1500)});
  t["state_file"] = stops;
  arbord.start(t);
  ASSERT_TRUE(await_state(arbord.socket(), "late", "restarting"));  // at boot, before any watch
  ASSERT_TRUE(await_state(arbord.socket(), "soon", "restarting"));
  ASSERT_EQ(arborctl(arbord.socket(), {"stop", "s"}).status, 0);
  const json before = status_of(arbord.socket());
  ASSERT_EQ(find_node(before, "s")->at("operator_stopped"), true);
  const json due = find_node(before, "late")->at("next_restart_at");
  ASSERT_TRUE(due.is_string()) << before.dump();
  ASSERT_EQ(::unlink(stops.c_str()), 0);  // the stop must come through the reexec's state

  const RunResult r = arborctl(arbord.socket(), {"reexec"});
  ASSERT_EQ(r.status, 0) << r.err;
  const json after = status_of(arbord.socket());
  EXPECT_EQ(find_node(after, "s")->at("state"), "stopped");
  EXPECT_EQ(find_node(after, "s")->at("operator_stopped"), true);
  EXPECT_EQ(find_node(after, "late")->at("state"), "restarting");
  // The same deadline, not a new (randomised) delay; status renders it from the monotonic
  // clock, so two readings differ by microseconds.
  EXPECT_NEAR(unix_seconds(find_node(after, "late")->at("next_restart_at")), unix_seconds(due), 0.05);
  // The short delay's timer is armed again in the new program: its restart comes.
  EXPECT_TRUE(arbord.await_event({{"event", "started"}, {"path", "soon"}}, 20s));
  EXPECT_EQ(arborctl(arbord.socket(), {"start", "s"}).status, 0);
  EXPECT_EQ(find_node(status_of(arbord.socket()), "s")->at("operator_stopped"), false);
  EXPECT_EQ(slurp(sigs), "");  // no signal but the stop's SIGKILL (brutal_kill), which no trap sees
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
}

// Exits and output during the handover: the check step of a wrapper binary (the old program
// waits for it before its execve) kills one worker and lets another write lines into its
// pipe while nobody reads them. The new program restarts the first by its strategy and
// writes every line of the second to the log.
TEST(Reexec, AnExitAndOutputDuringTheHandoverAreHandledAfterIt) {
  ArbordInstance arbord;
  const std::string sigs = arbord.path("signals");
  const std::string count = arbord.path("count");
  arbord.start(
      tree({trapping("victim", sigs), trapping("talker", sigs, "echo line $i; echo $i > " + count + ";")}));
  ASSERT_TRUE(arbord.await_ready());
  const pid_t victim = *arbord.pid_of("victim");
  const pid_t talker = *arbord.pid_of("talker");
  const std::string wrapper = arbord.path("arbord-wrapper");
  write_file(wrapper,
             "#!/bin/sh\n"
             "if [ \"$1\" = --reexec-check ]; then\n"
             "  kill -9 " +
                 std::to_string(victim) +
                 "\n"
                 "  while [ \"$(cut -d' ' -f3 /proc/" +
                 std::to_string(victim) +
                 "/stat)\" != Z ]; do sleep 0.01; done\n"
                 // `echo $i > count` truncates before it writes: a read may find it empty.
                 "  c=$(cat " +
                 count +
                 "); n=$((${c:-0} + 30))\n"
                 "  while c=$(cat " +
                 count +
                 "); [ \"${c:-0}\" -lt $n ]; do sleep 0.01; done\n"
                 "fi\n"
                 "exec " ARBORD_BIN " \"$@\"\n",
             true);
  const RunResult r = arborctl(arbord.socket(), {"--json", "reexec", "--binary", wrapper});
  ASSERT_EQ(r.status, 0) << r.err;
  // The victim's exit, seen by the new program, restarts it.
  EXPECT_TRUE(poll_until(
      [&] {
        const auto pids = worker_pids(status_of(arbord.socket()));
        return pids.count("victim") == 1 && pids.at("victim") != victim;
      },
      10s));
  const json after = status_of(arbord.socket());
  EXPECT_EQ(find_node(after, "victim")->at("restarts"), 1);
  EXPECT_EQ(find_node(after, "victim")->at("last_exit"), json({{"signal", "KILL"}}));
  EXPECT_EQ(worker_pids(after).at("talker"), talker);
  // Every line, none lost: "line 1", "line 2", ... without a gap, past the handover.
  const std::string log = arbord.path("logs/talker.log");
  const int target = std::stoi("0" + slurp(count)) + 20;  // empty between truncate and write
  ASSERT_TRUE(poll_until([&] { return std::stoi("0" + slurp(count)) > target; }, 10s));
  ASSERT_TRUE(poll_until(
      [&] { return slurp(log).find("line " + std::to_string(target) + "\n") != std::string::npos; }, 10s));
  std::istringstream lines(slurp(log));
  int expect = 1;
  for (std::string line; std::getline(lines, line) && expect <= target; ++expect)
    ASSERT_EQ(line, "line " + std::to_string(expect));
  EXPECT_EQ(slurp(sigs), "");
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_TRUE(arbord.no_survivors());
}

}  // namespace
}  // namespace arbor::testing
