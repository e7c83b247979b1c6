// Faults of one worker that must not disturb the rest of the tree: a worker that stops
// itself (SIGSTOP), one that leaves 200 grandchildren behind, and one whose binary
// disappears or loses its execute bit between restarts.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include <gtest/gtest.h>

#include "tests/support/arbord_instance.h"
#include "tests/support/proc.h"

namespace arbor::testing {
namespace {

using nlohmann::json;

json event(const std::string& type, const std::string& path) { return {{"event", type}, {"path", path}}; }
json exited(const std::string& path, json exit, const std::string& reason) {
  return {{"event", "exited"}, {"path", path}, {"exit", std::move(exit)}, {"reason", reason}};
}
json sig(const std::string& s) { return {{"signal", s}}; }

json tree(json children, int max_restarts, int max_seconds) {
  return {{"root",
           {{"strategy", "one_for_one"},
            {"max_restarts", max_restarts},
            {"max_seconds", max_seconds},
            {"children", std::move(children)}}}};
}

// Every test here starts behind the gate (Watch::from_boot): its "never happened" checks
// (steady never exited, the root never gave up) cover the whole run.

// (a) A worker that stopped itself with SIGSTOP is still stopped by SIGTERM (arbord sends
// SIGCONT after the stop signal), and one that also ignores SIGTERM is SIGKILLed at its
// shutdown time. Meanwhile the other children are supervised as usual.
TEST(Faults, SelfStoppedWorkersAreContinuedAndStopped) {
  ArbordInstance arbord;
  arbord.start(
      tree(json::array({child("frozen", {"--ready-fd", "3", "--kill-self", "19"},
                              {{"shutdown", 20000}, {"ready", {{"fd", 3}}}}),
                        child("frozen_stubborn", {"--ignore-term", "--ready-fd", "3", "--kill-self", "19"},
                              {{"shutdown", 300}, {"ready", {{"fd", 3}}}}),
                        child("crasher", {"--after", "100", "--exit", "1"}), child("steady", {})}),
           1000, 10),
      {}, Watch::from_boot);
  ASSERT_TRUE(arbord.await_ready());
  const auto frozen = arbord.pid_of("frozen");
  const auto stubborn = arbord.pid_of("frozen_stubborn");
  ASSERT_TRUE(frozen && stubborn);
  EXPECT_TRUE(poll_until([&] { return proc_state(*frozen) == 'T' && proc_state(*stubborn) == 'T'; }, 5s))
      << "the workers did not stop themselves";
  // Supervision goes on while two workers are stopped.
  arbord.await_event(event("restarting", "crasher"));
  arbord.await_event(event("started", "crasher"));
  arbord.await_event(event("restarting", "crasher"));
  arbord.signal(SIGTERM);
  arbord.await_event(exited("steady", sig("TERM"), "shutdown"));
  // A stopped process acts on SIGTERM only once continued: TERM (not KILL, which would
  // come after 20 s) shows the SIGCONT.
  arbord.await_event(exited("frozen_stubborn", sig("KILL"), "shutdown"));
  arbord.await_event(exited("frozen", sig("TERM"), "shutdown"), 15s);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_TRUE(arbord.no_survivors());
}

// (a) A worker forks 200 grandchildren (ignoring SIGTERM) and dies: the whole group is
// gone before its replacement starts, and its sibling is untouched.
TEST(Faults, TwoHundredGrandchildrenAreGoneBeforeTheRestart) {
  ArbordInstance arbord;
  arbord.start(tree(json::array({child("steady", {}), child("forker", {"--fork", "200", "--ready-fd", "3"},
                                                            {{"ready", {{"fd", 3}, {"timeout", 20000}}}})}),
                    100, 10),
               {}, Watch::from_boot);
  ASSERT_TRUE(arbord.await_ready(30s));
  const auto steady = arbord.pid_of("steady");
  const auto first = arbord.pid_of("forker");
  ASSERT_TRUE(steady && first);
  // Ready was sent after the forks: the group holds the leader and its 200 children.
  const auto members = group_members(*first).size();
  EXPECT_GE(members, 201u) << "group " << *first << " has " << members << " members";
  // The leader dies now (not on a timer, which a loaded machine could outrun while forking).
  kill(*first, SIGKILL);
  json killed = exited("forker", sig("KILL"), "abnormal");
  killed["pid"] = *first;
  arbord.await_event(killed, 20s);
  arbord.await_event(event("started", "forker"), 30s);
  // The runner reports the exit only once the group is empty, and the replacement is
  // started after that: nothing of the first group may be left now (zombies included).
  errno = 0;
  EXPECT_EQ(kill(-*first, 0), -1);
  EXPECT_EQ(errno, ESRCH);
  EXPECT_NE(arbord.pid_of("forker"), first);
  EXPECT_EQ(arbord.pid_of("steady"), steady);
  EXPECT_TRUE(arbord.events_matching(event("exited", "steady")).empty());
  EXPECT_EQ(kill(*steady, 0), 0);
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(30s), 0);
  EXPECT_TRUE(arbord.no_survivors(10s));
}

// (b) The worker's binary is deleted, then made non-executable, between restarts: each
// restart fails with start_failed naming exec and the errno, counts toward intensity
// (a backoff spaces the tries), recovers when the binary comes back in time, and ends in
// the supervisor giving up when it stays broken. The sibling never notices.
TEST(Faults, BinaryDeletedOrNotExecutableBetweenRestarts) {
  ArbordInstance arbord;
  namespace fs = std::filesystem;
  fs::create_directories(arbord.path("bin"));
  const std::string real = arbord.path("bin/.worker.real");
  const std::string worker = arbord.path("bin/worker");  // a hard link to `real`
  fs::copy_file(test_child(), real);
  ASSERT_EQ(chmod(real.c_str(), 0755), 0);
  ASSERT_EQ(link(real.c_str(), worker.c_str()), 0);
  const json sub = {{"id", "sub"},
                    {"type", "supervisor"},
                    {"restart", "transient"},
                    {"max_restarts", 6},
                    {"max_seconds", 60},
                    {"children", json::array({{{"id", "fragile"},
                                               {"command", {worker}},
                                               {"backoff", {{"initial_ms", 300}, {"max_ms", 300}}}}})}};
  arbord.start(tree(json::array({child("steady", {}), sub}), 10, 60), {}, Watch::from_boot);
  ASSERT_TRUE(arbord.await_ready());
  const auto steady = arbord.pid_of("steady");
  auto fragile = arbord.pid_of("sub/fragile");
  ASSERT_TRUE(steady && fragile);

  // Deleted: the running process is unaffected; its restart fails.
  ASSERT_EQ(unlink(worker.c_str()), 0);
  kill(*fragile, SIGKILL);
  arbord.await_event(
      {{"event", "start_failed"}, {"path", "sub/fragile"}, {"error", "exec: No such file or directory"}});
  ASSERT_EQ(link(real.c_str(), worker.c_str()), 0);  // back before the intensity runs out
  const auto restarted = arbord.await_event(event("started", "sub/fragile"));
  ASSERT_TRUE(restarted && restarted->contains("pid"));
  fragile = arbord.pid_of("sub/fragile");
  ASSERT_EQ(fragile, (*restarted)["pid"].get<pid_t>());

  // Not executable, and it stays so: failed restarts are counted until `sub` gives up.
  ASSERT_EQ(chmod(real.c_str(), 0644), 0);
  kill(*fragile, SIGKILL);
  const json denied = {
      {"event", "start_failed"}, {"path", "sub/fragile"}, {"error", "exec: Permission denied"}};
  arbord.await_event(denied);
  arbord.await_event(event("gave_up", "sub"), 20s);
  arbord.await_event(event("exited", "sub"));
  const auto restarts = arbord.events_matching(event("restarting", "sub/fragile")).size();
  // Each restart is announced when scheduled (backoff) and counted when it happens: the 7th
  // is the one the intensity (6 in 60 s) refuses. Failed starts count like any other.
  EXPECT_EQ(restarts, 7u) << "every failed start counted toward max_restarts 6";
  EXPECT_GE(arbord.events_matching(denied).size(), 2u);
  EXPECT_TRUE(arbord.events_matching(event("restarting", "sub")).empty())
      << "a transient supervisor that gave up stays down";

  EXPECT_EQ(arbord.pid_of("steady"), steady);
  EXPECT_TRUE(arbord.events_matching(event("exited", "steady")).empty());
  EXPECT_TRUE(arbord.events_matching(event("gave_up", "/")).empty());
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_TRUE(arbord.no_survivors());
}

}  // namespace
}  // namespace arbor::testing
