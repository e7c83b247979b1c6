// Health in the core: readiness by probe, liveness probes (failures, start_period, timeouts,
// no overlap), the watchdog, and what their failure does (unhealthy, stop, an abnormal exit
// that the strategy and the restart intensity answer).
#include <gtest/gtest.h>

#include "daemon/core/supervisor.h"
#include "daemon/core/worker.h"
#include "tests/fakes/fake_host.h"

namespace arbor::testing {
namespace {

using config::Strategy;
using core::ChildState;
using core::HealthState;
using Log = std::vector<std::string>;

config::Probe tcp_probe() {
  config::Probe p;
  p.kind = config::Probe::Kind::tcp;
  p.host = "127.0.0.1";
  p.port = 5432;
  p.text = "127.0.0.1:5432";
  return p;
}

config::ChildSpec probed(const std::string& id, std::int64_t interval = 200, std::int64_t timeout = 30000) {
  auto w = worker(id);
  w.worker.ready.kind = config::Ready::Kind::probe;
  w.worker.ready.probe = tcp_probe();
  w.worker.ready.interval_ms = interval;
  w.worker.ready.timeout_ms = timeout;
  return w;
}

config::ChildSpec checked(const std::string& id, int failures = 3, std::int64_t start_period = 0) {
  auto w = worker(id);
  config::Health h;
  h.probe = tcp_probe();
  h.interval_ms = 1000;
  h.timeout_ms = 300;
  h.failures = failures;
  h.start_period_ms = start_period;
  w.worker.health = h;
  return w;
}

config::ChildSpec watched(const std::string& id, std::int64_t ms = 2000) {
  auto w = worker(id);
  w.worker.watchdog_ms = ms;
  return w;
}

const core::Worker& worker_at(const Harness& h, const std::string& path) {
  return *dynamic_cast<const core::Worker*>(h.tree.find(path));
}

TEST(ProbeReadiness, NextChildStartsOnlyAfterAPassedTry) {
  Harness h(root(Strategy::one_for_one, {probed("db"), worker("web")}));
  h.boot();
  EXPECT_EQ(h.take_log(), (Log{"spawn db", "probe db tcp"}));  // the first try at once
  h.probe_result("db", false);
  EXPECT_EQ(h.state("db"), ChildState::starting);
  h.advance(199);
  EXPECT_EQ(h.take_log(), Log{});
  h.advance(1);  // the interval runs from the start of the previous try
  EXPECT_EQ(h.take_log(), Log{"probe db tcp"});
  h.probe_result("db", true);
  EXPECT_EQ(h.take_log(), Log{"spawn web"});
  EXPECT_EQ(h.state("db"), ChildState::running);
  EXPECT_EQ(h.outcome(), core::OutcomeKind::booted);
  h.advance(10000);
  EXPECT_EQ(h.take_log(), Log{});  // no health check: no probes once started
}

TEST(ProbeReadiness, ASlowTryIsFollowedAtOnceAndTimedOut) {
  Harness h(root(Strategy::one_for_one, {probed("db")}));
  h.boot();
  h.take_log();
  h.advance(999);
  EXPECT_TRUE(h.probing("db"));
  h.advance(1);  // a try's own timeout: 1000 ms (Kubernetes' default)
  EXPECT_EQ(h.take_log(), (Log{"cancel probe db", "probe db tcp"}));
}

TEST(ProbeReadiness, TimeoutIsAFailedStart) {
  Harness h(root(Strategy::one_for_one, {worker("a"), probed("db", 200, 1500)}));
  h.boot();
  h.take_log();
  h.probe_result("db", false);
  h.advance(200);
  h.probe_result("db", false);
  h.advance(1300);
  // Tries at 200 and 400 ms; the third hangs until its own 1000 ms timeout (1400), then one
  // more, cut short by the ready timeout.
  EXPECT_EQ(h.take_log(), (Log{"probe db tcp", "probe db tcp", "cancel probe db", "probe db tcp",
                               "cancel probe db", "signal db KILL", "signal a TERM"}));
  ASSERT_EQ(h.host.outcomes.size(), 1u);
  EXPECT_EQ(h.host.outcomes[0].kind, core::OutcomeKind::boot_failed);
  EXPECT_EQ(h.host.outcomes[0].error, "ready: timed out after 1500 ms");
}

TEST(Health, FirstCheckOneIntervalAfterStartThenEveryInterval) {
  Harness h(root(Strategy::one_for_one, {checked("w")}));
  h.boot();
  h.take_log();
  EXPECT_EQ(worker_at(h, "w").health(), HealthState::starting);
  h.advance(999);
  EXPECT_EQ(h.take_log(), Log{});
  h.advance(1);
  EXPECT_EQ(h.take_log(), Log{"probe w tcp"});
  h.advance(100);
  h.probe_result("w", true);
  EXPECT_EQ(worker_at(h, "w").health(), HealthState::healthy);
  h.advance(899);
  EXPECT_EQ(h.take_log(), Log{});
  h.advance(1);
  EXPECT_EQ(h.take_log(), Log{"probe w tcp"});
}

TEST(Health, NoHealthCheckMeansNoHealth) {
  Harness h(root(Strategy::one_for_one, {worker("w")}));
  h.boot();
  EXPECT_EQ(worker_at(h, "w").health(), std::nullopt);
  EXPECT_EQ(h.tree.status("w")->health, std::nullopt);
}

TEST(Health, ConsecutiveFailuresStopTheWorkerAndItsExitIsAbnormal) {
  Harness h(root(Strategy::one_for_one, {checked("w", 3)}));
  h.boot();
  h.host.events.clear();
  h.take_log();
  for (int i = 0; i < 2; ++i) {
    h.advance(1000);
    h.probe_result("w", false, "connect 127.0.0.1:5432: connection refused");
  }
  EXPECT_EQ(h.tree.status("w")->health_failures, 2);
  EXPECT_EQ(h.state("w"), ChildState::running);
  h.host.ignore_term.insert("w");  // hung: only SIGKILL ends it
  h.advance(1000);
  h.probe_result("w", false, "connect 127.0.0.1:5432: connection refused");
  EXPECT_EQ(h.state("w"), ChildState::stopping);
  EXPECT_EQ(h.tree.status("w")->health, HealthState::unhealthy);
  h.advance(5000);  // shutdown: SIGKILL after 5000 ms
  EXPECT_EQ(h.take_log(),
            (Log{"probe w tcp", "probe w tcp", "probe w tcp", "signal w TERM", "signal w KILL", "spawn w"}));
  EXPECT_EQ(h.event_lines(), (Log{"unhealthy w 3 connect 127.0.0.1:5432: connection refused",
                                  "exited w abnormal health", "restarting w 0", "started w"}));
  EXPECT_EQ(h.restarts("w"), 1);
  EXPECT_EQ(h.tree.status("w")->health, HealthState::starting);  // a new process
  EXPECT_EQ(h.tree.status("w")->health_failures, 0);
}

TEST(Health, APassResetsTheCount) {
  Harness h(root(Strategy::one_for_one, {checked("w", 2)}));
  h.boot();
  for (bool passed : {false, true, false, true, false}) {
    h.advance(1000);
    h.probe_result("w", passed);
  }
  EXPECT_EQ(h.state("w"), ChildState::running);
  EXPECT_EQ(h.tree.status("w")->health_failures, 1);
}

TEST(Health, ATimedOutProbeIsAFailureAndTheNextWaitsForIt) {
  Harness h(root(Strategy::one_for_one, {checked("w", 2)}));
  h.boot();
  h.take_log();
  h.advance(1000 + 299);
  EXPECT_TRUE(h.probing("w"));
  h.advance(1);
  EXPECT_EQ(h.take_log(), (Log{"probe w tcp", "cancel probe w"}));
  EXPECT_EQ(h.tree.status("w")->health_failures, 1);
  h.advance(700);
  EXPECT_EQ(h.take_log(), Log{"probe w tcp"});
  h.host.events.clear();
  h.advance(300);
  EXPECT_EQ(h.event_lines().front(), "unhealthy w 2 connect 127.0.0.1:5432: timed out after 300 ms");
}

TEST(Health, ASlowProbeIsNeverOverlappedAndTheScheduleKeepsItsRate) {
  auto w = checked("w");
  w.worker.health->timeout_ms = 5000;  // longer than the interval
  Harness h(root(Strategy::one_for_one, {w}));
  h.boot();
  h.take_log();
  h.advance(1000);
  EXPECT_EQ(h.take_log(), Log{"probe w tcp"});
  h.advance(2504);  // two intervals pass with the probe in flight: no second probe
  EXPECT_EQ(h.take_log(), Log{});
  h.probe_result("w", true);  // 2504 ms late: the next one goes at once (a 0 ms timer)
  h.advance(0);
  EXPECT_EQ(h.take_log(), Log{"probe w tcp"});
  h.advance(200);
  h.probe_result("w", true);  // on time: the next one 1000 ms after this one began (4504, on the grid)
  h.advance(799);
  EXPECT_EQ(h.take_log(), Log{});
  h.advance(1);
  EXPECT_EQ(h.take_log(), Log{"probe w tcp"});
}

// Liveness probes go on a shared 8 ms grid: a deadline moves to the nearest grid point, so
// workers whose probes fall due a few ms apart are probed in one wakeup. Never more than
// half a grid step from the interval, and the rate is kept.
TEST(Health, LivenessProbesOfManyWorkersShareOneWakeup) {
  Harness h(root(Strategy::one_for_one, {checked("a"), checked("b")}));
  h.boot();
  h.advance(3);
  h.crash("b");  // restarted at 3: its first probe is due at 1003
  h.take_log();
  h.advance(996);
  EXPECT_EQ(h.take_log(), Log{}) << "nothing before the grid point 1000";
  h.advance(1);
  EXPECT_EQ(h.take_log(), (Log{"probe a tcp", "probe b tcp"})) << "both at 1000: b's 1003 rounds to it";
  h.probe_result("a", true);
  h.probe_result("b", true);
  h.advance(1000);
  EXPECT_EQ(h.take_log(), (Log{"probe a tcp", "probe b tcp"})) << "the rate is kept: 2000";
}

TEST(Health, FailuresInTheStartPeriodDoNotCount) {
  Harness h(root(Strategy::one_for_one, {checked("w", 1, 2500)}));
  h.boot();
  h.advance(1000);
  h.probe_result("w", false);
  h.advance(1000);
  h.probe_result("w", false);
  EXPECT_EQ(h.state("w"), ChildState::running);
  EXPECT_EQ(h.tree.status("w")->health_failures, 0);
  h.host.ignore_term.insert("w");
  h.advance(1000);  // 3000 ms after the start: past the start period
  h.probe_result("w", false);
  EXPECT_EQ(h.state("w"), ChildState::stopping);
}

TEST(Health, APassEndsTheStartPeriod) {
  Harness h(root(Strategy::one_for_one, {checked("w", 1, 60000)}));
  h.boot();
  h.advance(1000);
  h.probe_result("w", true);
  h.host.ignore_term.insert("w");
  h.advance(1000);
  h.probe_result("w", false);
  EXPECT_EQ(h.state("w"), ChildState::stopping);
}

TEST(Health, StopCancelsTheProbeAndIsAnsweredAsAStop) {
  Harness h(root(Strategy::one_for_one, {checked("w")}));
  h.boot();
  h.advance(1000);
  h.take_log();
  EXPECT_TRUE(h.stop("w").ok);
  EXPECT_EQ(h.take_log(), (Log{"cancel probe w", "signal w TERM"}));
  h.advance(60000);
  EXPECT_EQ(h.take_log(), Log{});  // nothing armed while stopped
  EXPECT_EQ(h.host.timers.size(), 0u);
}

TEST(Health, AStopDuringTheUnhealthyStopTakesOver) {
  Harness h(root(Strategy::one_for_one, {checked("w", 1)}));
  h.boot();
  h.host.ignore_term.insert("w");
  h.advance(1000);
  h.probe_result("w", false);
  h.host.events.clear();
  std::optional<core::OpResult> reply;
  h.tree.stop(
      "w", [&](const core::OpResult& r) { reply = r; }, h.now);
  h.settle();
  EXPECT_FALSE(reply.has_value());
  h.advance(5000);  // answered once the unhealthy stop's kill timer has ended it
  ASSERT_TRUE(reply.has_value());
  EXPECT_TRUE(reply->ok);
  EXPECT_EQ(h.state("w"), ChildState::stopped);
  EXPECT_EQ(h.event_lines(), Log{"exited w shutdown"});
}

TEST(Health, UnhealthyUnderRestForOneRestartsTheRest) {
  Harness h(root(Strategy::rest_for_one, {worker("a"), checked("w", 1), worker("z")}));
  h.boot();
  h.take_log();
  h.advance(1000);
  h.probe_result("w", false);
  EXPECT_EQ(h.take_log(), (Log{"probe w tcp", "signal w TERM", "signal z TERM", "spawn w", "spawn z"}));
  EXPECT_EQ(h.restarts("w"), 1);
  EXPECT_EQ(h.restarts("z"), 1);
  EXPECT_EQ(h.restarts("a"), 0);
}

TEST(Health, RepeatedUnhealthyExitsCountForIntensity) {
  Harness h(root(Strategy::one_for_one, {checked("w", 1)}, 2, 60));
  h.boot();
  for (int i = 0; i < 3; ++i) {
    h.advance(1000);
    h.probe_result("w", false);
  }
  EXPECT_EQ(h.outcome(), core::OutcomeKind::gave_up);
}

TEST(Health, ATransientWorkerThatExitsZeroOnTermIsStillRestarted) {
  auto w = checked("w", 1);
  w.restart = config::RestartType::transient;
  Harness h(root(Strategy::one_for_one, {w}));
  h.boot();
  h.advance(1000);
  h.host.ignore_term.insert("w");
  h.probe_result("w", false);
  h.exit("w", ExitStatus::code(0));
  EXPECT_EQ(h.restarts("w"), 1);
  EXPECT_EQ(h.state("w"), ChildState::running);
}

TEST(Watchdog, PingsKeepItAliveAndCostNoTimer) {
  Harness h(root(Strategy::one_for_one, {watched("w", 2000)}));
  h.boot();
  h.host.events.clear();
  const std::size_t timers = h.host.timers.size();
  for (int i = 0; i < 10; ++i) {
    h.advance(1500);
    h.watchdog("w");
    EXPECT_EQ(h.host.timers.size(), timers);
  }
  EXPECT_EQ(h.state("w"), ChildState::running);
  EXPECT_EQ(h.event_lines(), Log{});
}

TEST(Watchdog, AMissedIntervalStopsTheWorker) {
  Harness h(root(Strategy::one_for_one, {watched("w", 2000)}));
  h.boot();
  h.host.events.clear();
  h.take_log();
  h.advance(1000);
  h.watchdog("w");
  h.advance(1999);
  EXPECT_EQ(h.state("w"), ChildState::running);
  h.advance(1);  // 2000 ms after the last WATCHDOG=1
  EXPECT_EQ(h.take_log(), (Log{"signal w TERM", "spawn w"}));
  EXPECT_EQ(h.event_lines(), (Log{"unhealthy w 1 watchdog: no WATCHDOG=1 for 2000 ms",
                                  "exited w abnormal watchdog", "restarting w 0", "started w"}));
}

TEST(Watchdog, TriggerStopsAtOnce) {
  Harness h(root(Strategy::one_for_one, {watched("w")}));
  h.boot();
  h.host.events.clear();
  h.watchdog("w", true);
  EXPECT_EQ(h.event_lines(), (Log{"unhealthy w 1 watchdog: WATCHDOG=trigger", "exited w abnormal watchdog",
                                  "restarting w 0", "started w"}));
}

TEST(Watchdog, StartsOnlyOnceTheWorkerIsStarted) {
  auto w = watched("w", 1000);
  w.worker.ready.kind = config::Ready::Kind::notify;
  Harness h(root(Strategy::one_for_one, {w}));
  h.host.auto_ready = false;
  h.boot();
  h.watchdog("w", true);  // before READY=1: not yet watched
  h.advance(5000);
  EXPECT_EQ(h.state("w"), ChildState::starting);
  h.ready("w");
  h.host.auto_ready = true;
  h.advance(999);
  EXPECT_EQ(h.state("w"), ChildState::running);
  h.advance(1);
  EXPECT_EQ(h.state("w"), ChildState::running);  // restarted
  EXPECT_EQ(h.restarts("w"), 1);
}

}  // namespace
}  // namespace arbor::testing
