// Causes (SPEC §10): every event the core emits points at the event that led to it, or at
// nothing for a root cause. Each test reads a chain as `why` would: from an event, through
// its causes, to the root, newest first.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "tests/fakes/fake_host.h"

namespace arbor::testing {
namespace {

using config::RestartType;
using config::Strategy;
using core::EventType;
using Chain = std::vector<std::string>;

std::string line(const core::Event& e) {
  std::string out = fmt::format("{} {}", core::to_string(e.type), e.path);
  if (e.type == EventType::exited) out += fmt::format(" {}", core::to_string(e.reason));
  if (e.type == EventType::exited && e.health) out += " health";
  const char* strategy = e.strategy != nullptr ? e.strategy : "-";
  const char* command = e.command != nullptr ? e.command : "-";
  if (e.type == EventType::restarting) out += fmt::format(" {} {}", strategy, e.delay_ms);
  if (e.type == EventType::command) {
    out += fmt::format(" {} uid {}", command, e.uid ? std::to_string(*e.uid) : "none");
  }
  return out;
}

// The newest event of `type` at `path` (its seq), or 0.
std::uint64_t last(const Harness& h, EventType type, const std::string& path) {
  const auto& all = h.host.history;
  for (std::size_t i = all.size(); i > 0; --i) {
    if (all[i - 1].type == type && all[i - 1].path == path) return i;
  }
  return 0;
}

// The chain from event `seq` down to its root cause, newest first.
Chain chain(const Harness& h, std::uint64_t seq) {
  Chain out;
  while (seq != 0) {
    const core::Event& e = h.host.history.at(seq - 1);
    out.push_back(line(e));
    EXPECT_LT(e.cause, seq) << "a cause is older than its event";
    seq = e.cause;
  }
  return out;
}

Chain why(const Harness& h, EventType type, const std::string& path) {
  const std::uint64_t seq = last(h, type, path);
  EXPECT_NE(seq, 0u) << "no " << core::to_string(type) << " of " << path;
  return chain(h, seq);
}

TEST(Cause, BootAndACrashOfItsOwnAreRootCauses) {
  Harness h(root(Strategy::one_for_one, {worker("a")}));
  h.boot();
  for (const core::Event& e : h.host.history) EXPECT_EQ(e.cause, 0u) << line(e);
  h.crash("a");
  EXPECT_EQ(why(h, EventType::started, "a"),
            (Chain{"started a", "restarting a one_for_one 0", "exited a abnormal"}));
}

TEST(Cause, OneForAllStopsAndStartsPointAtTheRestart) {
  Harness h(root(Strategy::one_for_all, {worker("a"), worker("b"), worker("c")}));
  h.boot();
  h.crash("b");
  const Chain restart{"restarting b one_for_all 0", "exited b abnormal"};
  for (const std::string path : {"a", "c"}) {
    Chain stop{"exited " + path + " shutdown"};
    stop.insert(stop.end(), restart.begin(), restart.end());
    EXPECT_EQ(why(h, EventType::exited, path), stop);
  }
  for (const std::string path : {"a", "b", "c"}) {
    Chain start{"started " + path};
    start.insert(start.end(), restart.begin(), restart.end());
    EXPECT_EQ(why(h, EventType::started, path), start);
  }
}

TEST(Cause, RestForOneStopsTheRestForTheExit) {
  Harness h(root(Strategy::rest_for_one, {worker("api"), worker("worker")}));
  h.boot();
  h.exit("api", ExitStatus::signal(9));
  EXPECT_EQ(why(h, EventType::exited, "worker"),
            (Chain{"exited worker shutdown", "restarting api rest_for_one 0", "exited api abnormal"}));
  EXPECT_EQ(why(h, EventType::started, "worker"),
            (Chain{"started worker", "restarting api rest_for_one 0", "exited api abnormal"}));
}

TEST(Cause, GiveUpEscalatesThroughThreeLevels) {
  // x crashes; mid, top and the root each allow no restart: each gives up in turn.
  auto mid = supervisor("mid", Strategy::one_for_one, {worker("x")}, 0, 5);
  auto top = supervisor("top", Strategy::one_for_one, {mid}, 0, 5);
  Harness h(root(Strategy::one_for_one, {top}, 0, 5));
  h.boot();
  h.crash("top/mid/x");
  EXPECT_EQ(h.outcome(), core::OutcomeKind::gave_up);
  EXPECT_EQ(why(h, EventType::gave_up, "/"),
            (Chain{"gave_up /", "exited top shutdown", "gave_up top", "exited top/mid shutdown",
                   "gave_up top/mid", "exited top/mid/x abnormal"}));
  EXPECT_EQ(chain(h, last(h, EventType::exited, "/")).front(), "exited / shutdown");
}

TEST(Cause, GiveUpStopsTheOthersForTheGiveUp) {
  auto mid = supervisor("mid", Strategy::one_for_one, {worker("x"), worker("y")}, 0, 5);
  Harness h(root(Strategy::one_for_one, {mid}));
  h.boot();
  h.crash("mid/x");
  EXPECT_EQ(why(h, EventType::exited, "mid/y"),
            (Chain{"exited mid/y shutdown", "gave_up mid", "exited mid/x abnormal"}));
  // The top restarts mid for its exit; mid's children start for that restart.
  EXPECT_EQ(why(h, EventType::started, "mid/x"),
            (Chain{"started mid/x", "restarting mid one_for_one 0", "exited mid shutdown", "gave_up mid",
                   "exited mid/x abnormal"}));
}

TEST(Cause, BackoffRestartPointsAtTheRestarting) {
  auto w = worker("a");
  w.worker.backoff = config::Backoff{100, 1000};
  Harness h(root(Strategy::one_for_one, {w, worker("b")}));
  h.boot();
  h.crash("a");
  h.advance(100);
  EXPECT_EQ(h.state("a"), core::ChildState::running);
  EXPECT_EQ(why(h, EventType::started, "a"),
            (Chain{"started a", "restarting a one_for_one 100", "exited a abnormal"}));
}

TEST(Cause, GroupBackoffStartsPointAtTheRestarting) {
  auto w = worker("a");
  w.worker.backoff = config::Backoff{100, 1000};
  Harness h(root(Strategy::one_for_all, {w, worker("b")}));
  h.boot();
  h.crash("a");
  h.advance(100);
  EXPECT_EQ(why(h, EventType::started, "b"),
            (Chain{"started b", "restarting a one_for_all 100", "exited a abnormal"}));
  EXPECT_EQ(why(h, EventType::exited, "b"),
            (Chain{"exited b shutdown", "restarting a one_for_all 100", "exited a abnormal"}));
}

TEST(Cause, AutoShutdownPointsAtTheSignificantExit) {
  auto s = worker("s", RestartType::transient);
  s.significant = true;
  auto sup = supervisor("sup", Strategy::one_for_one, {worker("a"), s});
  sup.supervisor->auto_shutdown = config::AutoShutdown::any_significant;
  sup.restart = RestartType::temporary;
  Harness h(root(Strategy::one_for_one, {sup, worker("other")}));
  h.boot();
  h.exit("sup/s", ExitStatus::code(0));
  EXPECT_EQ(why(h, EventType::exited, "sup/a"), (Chain{"exited sup/a shutdown", "exited sup/s normal"}));
  EXPECT_EQ(why(h, EventType::exited, "sup"), (Chain{"exited sup shutdown", "exited sup/s normal"}));
}

TEST(Cause, AnOperatorStopPointsAtItsCommand) {
  Harness h(root(Strategy::one_for_one, {worker("a"), worker("b")}));
  h.boot();
  std::optional<core::OpResult> result;
  h.tree.stop(
      "a", [&](const core::OpResult& r) { result = r; }, h.now, core::Origin{"stop", 1000});
  h.settle();
  ASSERT_TRUE(result && result->ok);
  EXPECT_EQ(why(h, EventType::exited, "a"), (Chain{"exited a shutdown", "command a stop uid 1000"}));
  h.tree.restart(
      "b", [&](const core::OpResult& r) { result = r; }, h.now, core::Origin{"restart", 0});
  h.settle();
  EXPECT_EQ(why(h, EventType::started, "b"), (Chain{"started b", "command b restart uid 0"}));
  // Without an origin (arbord's own stop, a test) there is no command event: a root cause.
  h.tree.start(
      "a", [&](const core::OpResult& r) { result = r; }, h.now);
  h.settle();
  EXPECT_EQ(why(h, EventType::started, "a"), (Chain{"started a"}));
}

TEST(Cause, AnExitAfterASignalCommandPointsAtIt) {
  Harness h(root(Strategy::one_for_one, {worker("a")}));
  h.boot();
  ASSERT_TRUE(h.tree.signal("a", 15, core::Origin{"signal", 7}).ok);
  h.settle();
  EXPECT_EQ(why(h, EventType::restarting, "a").back(), "command a signal uid 7");
}

TEST(Cause, ReloadStopsAndStartsPointAtTheReload) {
  auto base = root(Strategy::one_for_one, {worker("a"), worker("b")});
  Harness h(base);
  h.boot();
  auto next = base;
  next.supervisor->children[0].worker.command = {"/bin/other"};
  next.supervisor->children.push_back(worker("c"));
  bool done = false;
  h.tree.apply_reload(
      next, [&](const core::ReloadPlan&) { done = true; }, h.now, core::Origin{"reload", std::nullopt});
  h.settle();
  ASSERT_TRUE(done);
  const std::string command = "command / reload uid none";
  EXPECT_EQ(why(h, EventType::exited, "a"), (Chain{"exited a shutdown", command}));
  EXPECT_EQ(why(h, EventType::started, "a"), (Chain{"started a", command}));
  EXPECT_EQ(why(h, EventType::started, "c"), (Chain{"started c", command}));
  EXPECT_EQ(why(h, EventType::added, "c"), (Chain{"added c", command}));
  EXPECT_EQ(why(h, EventType::reloaded, "/"), (Chain{"reloaded /", command}));
}

config::ChildSpec checked(const std::string& id) {
  auto w = worker(id);
  config::Health health;
  health.probe.kind = config::Probe::Kind::tcp;
  health.probe.host = "127.0.0.1";
  health.probe.port = 5432;
  health.probe.text = "127.0.0.1:5432";
  health.interval_ms = 1000;
  health.timeout_ms = 300;
  health.failures = 1;
  w.worker.health = health;
  return w;
}

TEST(Cause, AFailedHealthCheckIsTheRootOfTheKillAndTheExit) {
  Harness h(root(Strategy::one_for_one, {checked("w")}));
  h.boot();
  h.advance(1000);
  h.probe_result("w", false, "connect 127.0.0.1:5432: connection refused");
  h.settle();
  EXPECT_EQ(why(h, EventType::started, "w"),
            (Chain{"started w", "restarting w one_for_one 0", "exited w abnormal health", "unhealthy w"}));
}

}  // namespace
}  // namespace arbor::testing
