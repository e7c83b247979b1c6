// reload: the plan, and applying it without touching unchanged children.
#include <gtest/gtest.h>

#include "tests/fakes/fake_host.h"

namespace arbor::testing {
namespace {

using config::Strategy;
using core::ReloadAction;
using Log = std::vector<std::string>;

std::vector<std::string> plan_lines(const core::ReloadPlan& plan) {
  std::vector<std::string> out;
  for (const auto& e : plan.entries) out.push_back(e.path + " " + core::to_string(e.action) + " " + e.reason);
  return out;
}

core::ReloadPlan apply(Harness& h, const config::ChildSpec& next) {
  std::optional<core::ReloadPlan> result;
  h.tree.apply_reload(
      next, [&](const core::ReloadPlan& p) { result = p; }, h.now);
  h.settle();
  EXPECT_TRUE(result.has_value()) << "reload never finished";
  return result.value_or(core::ReloadPlan{});
}

config::ChildSpec base() {
  return root(Strategy::one_for_one,
              {worker("a"), worker("b"), supervisor("s", Strategy::one_for_one, {worker("x"), worker("y")})});
}

TEST(Reload, PlanNamesEveryPathAndTheFieldThatCausedIt) {
  Harness h(base());
  h.boot();
  auto next = base();
  next.supervisor->children[0].worker.command = {"/bin/false"};               // a: restart
  next.supervisor->children[1].shutdown = config::Shutdown::brutal();         // b: update
  next.supervisor->children[2].supervisor->strategy = Strategy::one_for_all;  // s: update
  next.supervisor->children[2].supervisor->children.erase(
      next.supervisor->children[2].supervisor->children.begin());
  next.supervisor->children.push_back(worker("c"));  // c: add
  EXPECT_EQ(plan_lines(h.tree.plan_reload(next)),
            (Log{"/ unchanged ", "a restart command", "b update shutdown", "s update strategy",
                 "s/y unchanged ", "s/x remove gone", "c add new"}));
}

TEST(Reload, AppliesThePlanAndKeepsUnchangedPids) {
  Harness h(base());
  h.boot();
  const auto pid_b = h.tree.status("b")->pid;
  const auto pid_y = h.tree.status("s/y")->pid;
  auto next = base();
  next.supervisor->children[0].worker.command = {"/bin/false"};
  next.supervisor->children[2].supervisor->children.erase(
      next.supervisor->children[2].supervisor->children.begin());
  next.supervisor->children.insert(next.supervisor->children.begin() + 1, worker("c"));
  h.take_log();
  apply(h, next);
  auto log = h.take_log();
  // s/x goes (its own supervisor's mailbox), a is stopped and started with its new
  // command, c is added after a: order within the root is stops first, then starts.
  EXPECT_NE(std::find(log.begin(), log.end(), "signal s/x TERM"), log.end());
  auto stop_a = std::find(log.begin(), log.end(), "signal a TERM");
  auto spawn_a = std::find(log.begin(), log.end(), "spawn a");
  auto spawn_c = std::find(log.begin(), log.end(), "spawn c");
  ASSERT_NE(stop_a, log.end());
  ASSERT_NE(spawn_a, log.end());
  ASSERT_NE(spawn_c, log.end());
  EXPECT_LT(stop_a, spawn_a);
  EXPECT_LT(spawn_a, spawn_c);
  EXPECT_EQ(h.tree.status("b")->pid, pid_b);
  EXPECT_EQ(h.tree.status("s/y")->pid, pid_y);
  EXPECT_FALSE(h.exists("s/x"));
  EXPECT_EQ(h.tree.spec("a")->worker.command, (std::vector<std::string>{"/bin/false"}));
  auto st = h.tree.status("/");
  ASSERT_EQ(st->children.size(), 4u);
  EXPECT_EQ(st->children[1].id, "c") << "children follow the new file's order";
  auto lines = h.event_lines();
  EXPECT_EQ(lines.back(), "reloaded /");
  EXPECT_EQ(h.host.events.back().plan_counts[static_cast<int>(ReloadAction::restart)], 1);
}

TEST(Reload, SupervisorSettingsChangeWithoutRestartingChildren) {
  Harness h(base());
  h.boot();
  auto next = base();
  next.supervisor->children[2].supervisor->strategy = Strategy::one_for_all;
  h.take_log();
  apply(h, next);
  EXPECT_EQ(h.take_log(), Log{});
  h.crash("s/x");  // one_for_all now
  EXPECT_EQ(h.take_log(), (Log{"signal s/y TERM", "spawn s/x", "spawn s/y"}));
}

TEST(Reload, RootIntensityChangeApplies) {
  Harness h(base());
  h.boot();
  auto next = base();
  next.supervisor->max_restarts = 0;
  EXPECT_EQ(plan_lines(h.tree.plan_reload(next)).front(), "/ update max_restarts");
  apply(h, next);
  h.crash("a");
  EXPECT_EQ(h.outcome(), core::OutcomeKind::gave_up);
}

TEST(Reload, OperatorStoppedChildTakesTheNewSpecAndStaysStopped) {
  Harness h(base());
  h.boot();
  ASSERT_TRUE(h.stop("a").ok);
  auto next = base();
  next.supervisor->children[0].worker.command = {"/bin/false"};
  h.take_log();
  apply(h, next);
  EXPECT_EQ(h.take_log(), Log{});
  EXPECT_EQ(h.state("a"), core::ChildState::stopped);
  EXPECT_EQ(h.tree.spec("a")->worker.command, (std::vector<std::string>{"/bin/false"}));
}

TEST(Reload, RuntimeAdditionsKeepRunning) {
  Harness h(base());
  h.boot();
  ASSERT_TRUE(h.add("/", worker("extra")).ok);
  const auto pid = h.tree.status("extra")->pid;
  auto lines = plan_lines(h.tree.plan_reload(base()));
  EXPECT_NE(std::find(lines.begin(), lines.end(), "extra unchanged added at run time"), lines.end());
  apply(h, base());
  EXPECT_EQ(h.tree.status("extra")->pid, pid);
}

TEST(Reload, UnchangedFileChangesNothing) {
  Harness h(base());
  h.boot();
  h.take_log();
  auto plan = apply(h, base());
  for (const auto& e : plan.entries) EXPECT_EQ(e.action, ReloadAction::unchanged) << e.path;
  EXPECT_EQ(plan.entries.size(), 6u);  // /, a, b, s, s/x, s/y
  EXPECT_EQ(h.take_log(), Log{});
}

// The sockets are passed at exec (LISTEN_FDS, LISTEN_FDNAMES): a new list needs a new process.
TEST(Reload, ChangedListenRestartsTheWorker) {
  Harness h(base());
  h.boot();
  auto next = base();
  config::Listen l;
  l.kind = config::Listen::Kind::unix_socket;
  l.address = "/run/a.sock";
  next.supervisor->children[0].worker.listen = {l};
  EXPECT_EQ(plan_lines(h.tree.plan_reload(next))[1], "a restart listen");
  auto renamed = next;
  renamed.supervisor->children[0].worker.listen[0].name = "admin";
  h.tree.apply_reload(
      next, [](const core::ReloadPlan&) {}, h.now);
  h.settle();
  EXPECT_EQ(plan_lines(h.tree.plan_reload(renamed))[1], "a restart listen");
}

TEST(Reload, WorkerBecomesSupervisor) {
  Harness h(base());
  h.boot();
  auto next = base();
  next.supervisor->children[1] = supervisor("b", Strategy::one_for_one, {worker("inner")});
  EXPECT_EQ(plan_lines(h.tree.plan_reload(next))[2], "b restart type");
  apply(h, next);
  EXPECT_EQ(h.state("b/inner"), core::ChildState::running);
}

}  // namespace
}  // namespace arbor::testing
