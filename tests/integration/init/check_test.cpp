// `arborctl check [PATH]` on the real arbord (SPEC §12): exit 0 when every worker that should
// run is running, else 1 naming what is not; for Docker's HEALTHCHECK and Kubernetes' probes.
#include <signal.h>

#include <gtest/gtest.h>

#include "tests/support/arbord_instance.h"
#include "tests/support/proc.h"

namespace arbor::testing {
namespace {

using nlohmann::json;

json tree(json children) {
  return {{"root",
           {{"strategy", "one_for_one"}, {"max_restarts", 100}, {"max_seconds", 5}, {"children", children}}}};
}

TEST(Check, EveryWorkerRunningIsOk) {
  ArbordInstance arbord;
  arbord.start(tree(json::array(
      {child("a", {}), {{"id", "web"}, {"type", "supervisor"}, {"children", {child("api", {})}}}})));
  ASSERT_TRUE(arbord.await_ready());
  const RunResult r = arborctl(arbord.socket(), {"check"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "ok: 2 workers running\n");
  const RunResult sub = arborctl(arbord.socket(), {"--json", "check", "web"});
  EXPECT_EQ(sub.status, 0) << sub.err;
  EXPECT_EQ(json::parse(sub.out), (json{{"ok", true}, {"checked", 1}, {"problems", json::array()}}));
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
}

// Stopped by an operator, or a transient worker that ended normally: not expected to run.
TEST(Check, OperatorStopsAndNormalEndsAreOk) {
  ArbordInstance arbord;
  arbord.start(
      tree(json::array({child("a", {}), child("b", {}),
                        child("once", {"--after", "50", "--exit", "0"}, {{"restart", "transient"}})})),
      {}, Watch::from_boot);
  ASSERT_TRUE(arbord.await_event({{"event", "exited"}, {"path", "once"}}));
  ASSERT_TRUE(arbord.request("stop", {{"path", "b"}}));
  const RunResult r = arborctl(arbord.socket(), {"check"});
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "ok: 2 workers running\n");  // a and the gate
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
}

// A worker waiting to be restarted (backoff) is not ok: exit 1, its path, state and last exit.
TEST(Check, ARestartingWorkerFailsTheCheck) {
  ArbordInstance arbord;
  arbord.start(
      tree(json::array({child("a", {}), child("flappy", {"--after", "50", "--exit", "3"},
                                              {{"backoff", {{"initial_ms", 60000}, {"max_ms", 60000}}}})})),
      {}, Watch::from_boot);
  ASSERT_TRUE(arbord.await_event({{"event", "restarting"}, {"path", "flappy"}}));
  const RunResult r = arborctl(arbord.socket(), {"check"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("flappy  restarting  last exit: exit code 3"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("not ok: 1 problem (3 workers should run)"), std::string::npos) << r.out;
  const RunResult j = arborctl(arbord.socket(), {"--json", "check"});
  EXPECT_EQ(j.status, 1);
  EXPECT_EQ(json::parse(j.out)["problems"],
            (json{{{"path", "flappy"}, {"state", "restarting"}, {"reason", "last exit: exit code 3"}}}));
  EXPECT_EQ(arborctl(arbord.socket(), {"check", "a"}).status, 0);
  const RunResult missing = arborctl(arbord.socket(), {"check", "nope"});
  EXPECT_EQ(missing.status, 1);
  EXPECT_NE(missing.err.find("not_found"), std::string::npos) << missing.err;
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
}

// With a health check, running is not enough: `check` is ok once the probe has passed
// (health "healthy"), not while it is "starting" or failing.
TEST(Check, AWorkerWithAHealthCheckMustBeHealthy) {
  ArbordInstance arbord;
  const json passing = {{"exec", {"/bin/true"}}, {"interval", 50}, {"timeout", 5000}};
  const json failing = {{"exec", {"/bin/false"}}, {"interval", 50}, {"timeout", 5000}, {"failures", 1000000}};
  arbord.start(
      tree(json::array({child("up", {}, {{"health", passing}}), child("sick", {}, {{"health", failing}})})));
  ASSERT_TRUE(arbord.await_ready());
  EXPECT_EQ(arborctl(arbord.socket(), {"check", "sick"}).status, 1);  // never passed: not healthy
  // up becomes healthy at its first passing probe, about one interval after its start.
  EXPECT_TRUE(poll_until([&] { return arborctl(arbord.socket(), {"check", "up"}).status == 0; }, 10s));
  const RunResult all = arborctl(arbord.socket(), {"--json", "check"});
  EXPECT_EQ(all.status, 1);
  const json problems = json::parse(all.out)["problems"];
  ASSERT_EQ(problems.size(), 1u) << all.out;
  EXPECT_EQ(problems[0]["path"], "sick");
  EXPECT_EQ(problems[0]["reason"].get<std::string>().rfind("health ", 0), 0u) << problems[0];
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
}

}  // namespace
}  // namespace arbor::testing
