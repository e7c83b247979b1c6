// The worker's state × event table: its properties cell by cell, and the walk through it
// that a real life takes (observed with worker_state()).
#include <gtest/gtest.h>

#include <set>

#include "daemon/core/worker.h"
#include "tests/fakes/fake_host.h"

namespace arbor::testing {
namespace {

using config::Strategy;
using core::ChildState;
using core::WorkerEvent;
using core::WorkerState;
using Action = core::Worker::Action;
using Log = std::vector<std::string>;

std::vector<WorkerState> all_states() {
  std::vector<WorkerState> out;
  for (std::size_t i = 0; i < core::kWorkerStates; ++i) out.push_back(static_cast<WorkerState>(i));
  return out;
}

std::vector<WorkerEvent> all_events() {
  std::vector<WorkerEvent> out;
  for (std::size_t i = 0; i < core::kWorkerEvents; ++i) out.push_back(static_cast<WorkerEvent>(i));
  return out;
}

TEST(WorkerTable, EveryCellHasAnAction) {
  for (WorkerState s : all_states()) {
    for (WorkerEvent e : all_events()) {
      EXPECT_NE(core::Worker::decide(s, e), Action::missing) << to_string(s) << " × " << to_string(e);
    }
  }
}

TEST(WorkerTable, PublicStateOfEveryState) {
  const std::vector<std::pair<WorkerState, ChildState>> expected = {
      {WorkerState::stopped, ChildState::stopped},         {WorkerState::backoff, ChildState::restarting},
      {WorkerState::spawning, ChildState::starting},       {WorkerState::cancelling, ChildState::starting},
      {WorkerState::awaiting_ready, ChildState::starting}, {WorkerState::failing, ChildState::starting},
      {WorkerState::running, ChildState::running},         {WorkerState::stopping, ChildState::stopping},
      {WorkerState::killing, ChildState::stopping},        {WorkerState::unhealthy, ChildState::stopping},
      {WorkerState::unhealthy_kill, ChildState::stopping}};
  ASSERT_EQ(expected.size(), core::kWorkerStates);
  for (const auto& [s, state] : expected) EXPECT_EQ(core::public_state(s), state) << to_string(s);
}

TEST(WorkerTable, NamesAreDistinct) {
  std::set<std::string_view> states;
  for (WorkerState s : all_states()) states.insert(to_string(s));
  EXPECT_EQ(states.size(), core::kWorkerStates);
  std::set<std::string_view> events;
  for (WorkerEvent e : all_events()) events.insert(to_string(e));
  EXPECT_EQ(events.size(), core::kWorkerEvents);
}

TEST(WorkerTable, SignalReachesExactlyTheStatesWithAProcess) {
  for (WorkerState s : all_states()) {
    EXPECT_EQ(core::Worker::decide(s, WorkerEvent::signal),
              core::has_process(s) ? Action::pass : Action::ignore)
        << to_string(s);
  }
}

TEST(WorkerTable, EveryProcessHasItsExitHandled) {
  for (WorkerState s : all_states()) {
    const Action a = core::Worker::decide(s, WorkerEvent::exited);
    if (core::has_process(s)) {
      EXPECT_NE(a, Action::ignore) << to_string(s);
    }
  }
  // No process, no token: an exit cannot reach these.
  EXPECT_EQ(core::Worker::decide(WorkerState::stopped, WorkerEvent::exited), Action::ignore);
  EXPECT_EQ(core::Worker::decide(WorkerState::backoff, WorkerEvent::exited), Action::ignore);
}

TEST(WorkerTable, StartSpawnsOnlyWithoutAProcess) {
  for (WorkerState s : all_states()) {
    const bool idle = s == WorkerState::stopped || s == WorkerState::backoff;
    EXPECT_EQ(core::Worker::decide(s, WorkerEvent::start), idle ? Action::spawn : Action::ignore)
        << to_string(s);
  }
}

TEST(WorkerTable, AStopIsIgnoredOnlyOnTheWayToStopped) {
  const std::set<WorkerState> on_the_way = {WorkerState::cancelling, WorkerState::stopping,
                                            WorkerState::killing};
  for (WorkerState s : all_states()) {
    const bool ignored = core::Worker::decide(s, WorkerEvent::stop) == Action::ignore;
    EXPECT_EQ(ignored, on_the_way.count(s) > 0) << to_string(s);
  }
}

TEST(WorkerTable, TimersMatterOnlyInTheStateThatArmedThem) {
  for (WorkerState s : all_states()) {
    EXPECT_EQ(core::Worker::decide(s, WorkerEvent::ready_timeout) != Action::ignore,
              s == WorkerState::awaiting_ready);
    EXPECT_EQ(core::Worker::decide(s, WorkerEvent::kill_timeout) != Action::ignore,
              s == WorkerState::stopping || s == WorkerState::unhealthy);
    EXPECT_EQ(core::Worker::decide(s, WorkerEvent::watchdog_timeout) != Action::ignore,
              s == WorkerState::running);
    // A probe is due while waiting for readiness by probe, or while running (health).
    EXPECT_EQ(core::Worker::decide(s, WorkerEvent::probe_due) != Action::ignore,
              s == WorkerState::awaiting_ready || s == WorkerState::running);
  }
}

TEST(WorkerTable, HealthAndWatchdogActOnlyOnARunningWorker) {
  for (WorkerState s : all_states()) {
    for (WorkerEvent e : {WorkerEvent::watchdog, WorkerEvent::watchdog_trigger}) {
      EXPECT_EQ(core::Worker::decide(s, e) != Action::ignore, s == WorkerState::running) << to_string(s);
    }
  }
  EXPECT_EQ(core::Worker::decide(WorkerState::running, WorkerEvent::probe_failed), Action::sick);
  EXPECT_EQ(core::Worker::decide(WorkerState::awaiting_ready, WorkerEvent::probe_failed), Action::retry);
  EXPECT_EQ(core::Worker::decide(WorkerState::awaiting_ready, WorkerEvent::probe_passed), Action::up);
  EXPECT_EQ(core::Worker::decide(WorkerState::unhealthy, WorkerEvent::exited), Action::sickx);
  EXPECT_EQ(core::Worker::decide(WorkerState::unhealthy_kill, WorkerEvent::exited), Action::sickx);
  EXPECT_EQ(core::Worker::decide(WorkerState::unhealthy, WorkerEvent::stop), Action::adopt);
  EXPECT_EQ(core::Worker::decide(WorkerState::unhealthy_kill, WorkerEvent::stop), Action::adoptk);
}

// ---- walks through the table on the fake host ------------------------------------------

WorkerState state_of(const Harness& h, const std::string& path) {
  const auto* w = dynamic_cast<const core::Worker*>(h.tree.find(path));
  EXPECT_NE(w, nullptr) << path;
  return w == nullptr ? WorkerState::stopped : w->worker_state();
}

config::ChildSpec ready_worker(const std::string& id, std::int64_t timeout_ms = 2000) {
  auto w = worker(id);
  w.worker.ready.kind = config::Ready::Kind::notify;
  w.worker.ready.timeout_ms = timeout_ms;
  return w;
}

TEST(WorkerLife, SpawningThenAwaitingReadyThenRunning) {
  Harness h(root(Strategy::one_for_one, {ready_worker("r")}));
  h.host.auto_ready = false;
  h.tree.boot(h.now);
  EXPECT_EQ(state_of(h, "r"), WorkerState::spawning);
  EXPECT_EQ(h.state("r"), ChildState::starting);
  h.settle();
  EXPECT_EQ(state_of(h, "r"), WorkerState::awaiting_ready);
  EXPECT_TRUE(dynamic_cast<const core::Worker*>(h.tree.find("r"))->pid());
  h.ready("r");
  EXPECT_EQ(state_of(h, "r"), WorkerState::running);
  EXPECT_EQ(h.outcome(), core::OutcomeKind::booted);
}

TEST(WorkerLife, AStopBeforeTheSpawnIsAnsweredStopsTheProcessOnceItExists) {
  Harness h(root(Strategy::one_for_one, {worker("a")}));
  h.tree.boot(h.now);
  h.tree.shutdown(h.now);
  EXPECT_EQ(state_of(h, "a"), WorkerState::cancelling);
  EXPECT_EQ(h.state("a"), ChildState::starting);
  EXPECT_FALSE(dynamic_cast<const core::Worker*>(h.tree.find("a"))->pid()) << "no process yet";
  h.settle();
  EXPECT_EQ(h.take_log(), (Log{"spawn a", "signal a TERM"}));
  EXPECT_EQ(state_of(h, "a"), WorkerState::stopped);
  EXPECT_EQ(h.outcome(), core::OutcomeKind::stopped);
}

TEST(WorkerLife, ASpawnThatFailsAfterAStopIsAnsweredStopped) {
  Harness h(root(Strategy::one_for_one, {worker("a")}));
  h.host.fail_spawn.insert("a");
  h.tree.boot(h.now);
  h.tree.shutdown(h.now);
  h.settle();
  EXPECT_EQ(state_of(h, "a"), WorkerState::stopped);
  ASSERT_EQ(h.host.outcomes.size(), 1u);
  EXPECT_EQ(h.host.outcomes[0].kind, core::OutcomeKind::stopped) << "not boot_failed: the boot was abandoned";
}

TEST(WorkerLife, KillTimeoutMovesStoppingToKilling) {
  Harness h(root(Strategy::one_for_one, {worker("a")}));
  h.host.ignore_term.insert("a");
  h.boot();
  h.take_log();
  h.tree.shutdown(h.now);
  h.settle();
  EXPECT_EQ(state_of(h, "a"), WorkerState::stopping);
  EXPECT_EQ(h.state("a"), ChildState::stopping);
  EXPECT_TRUE(h.tree.signal("a", 10).ok) << "a stopping worker still takes signals";
  h.advance(5000);
  EXPECT_EQ(h.take_log(), (Log{"signal a TERM", "signal a USR1", "signal a KILL"}));
  EXPECT_EQ(state_of(h, "a"), WorkerState::stopped);
}

TEST(WorkerLife, BrutalKillGoesStraightToKilling) {
  auto a = worker("a");
  a.shutdown = config::Shutdown::brutal();
  Harness h(root(Strategy::one_for_one, {a}));
  h.boot();
  h.take_log();
  h.tree.shutdown(h.now);
  EXPECT_EQ(state_of(h, "a"), WorkerState::killing);
  h.settle();
  EXPECT_EQ(h.take_log(), Log{"signal a KILL"});
  EXPECT_EQ(h.outcome(), core::OutcomeKind::stopped);
}

TEST(WorkerLife, AStopWhileAnUnreadyProcessIsKilledAwaitsThatKill) {
  Harness h(root(Strategy::one_for_one, {ready_worker("r", 2000)}));
  h.host.auto_ready = false;
  h.tree.boot(h.now);
  h.settle();
  h.take_log();
  // The ready timer fires, but its SIGKILL's exit is not delivered yet.
  ASSERT_EQ(h.host.timers.size(), 1u);
  const core::TimerToken ready_timer = h.host.timers.begin()->second;
  h.host.timers.clear();
  h.now += 2000;
  h.tree.on_timer(ready_timer, h.now);
  EXPECT_EQ(state_of(h, "r"), WorkerState::failing);
  EXPECT_EQ(h.state("r"), ChildState::starting);
  h.tree.shutdown(h.now);
  EXPECT_EQ(state_of(h, "r"), WorkerState::killing);
  h.settle();
  EXPECT_EQ(h.take_log(), Log{"signal r KILL"}) << "no stop signal to a process already killed";
  EXPECT_TRUE(h.host.timers.empty()) << "no kill timer either";
  ASSERT_EQ(h.host.outcomes.size(), 1u);
  EXPECT_EQ(h.host.outcomes[0].kind, core::OutcomeKind::stopped);
}

TEST(WorkerLife, BackoffIsParkedAndAnOperatorStopUnparksIt) {
  auto a = worker("a");
  a.worker.backoff = config::Backoff{100, 1000};
  Harness h(root(Strategy::one_for_one, {a, worker("b")}));
  h.boot();
  h.crash("a");
  EXPECT_EQ(state_of(h, "a"), WorkerState::backoff);
  EXPECT_EQ(h.state("a"), ChildState::restarting);
  EXPECT_EQ(h.tree.signal("a", 10).code, core::ErrorCode::bad_request) << "no process to signal";
  ASSERT_TRUE(h.stop("a").ok);
  EXPECT_EQ(state_of(h, "a"), WorkerState::stopped);
  h.take_log();
  h.advance(1000);
  EXPECT_EQ(h.take_log(), Log{}) << "the delayed restart was dropped";
}

}  // namespace
}  // namespace arbor::testing
