// reexec's core half (daemon/core/snapshot.h): a quiet tree taken as values and rebuilt on
// another host from them, without a spawn, with every counter, deadline and run-time child.
#include <gtest/gtest.h>

#include "tests/fakes/fake_host.h"

namespace arbor::testing {
namespace {

using config::Strategy;

config::ChildSpec backing(const std::string& id, std::int64_t ms) {
  auto w = worker(id);
  w.worker.backoff = config::Backoff{ms, ms};
  return w;
}

// The tree of `from` adopted by a new tree on a new host that has the same processes.
struct Adopted {
  explicit Adopted(Harness& from) : snapshot(take(from)), h(snapshot.root_spec) {
    h.now = from.now;
    h.host.procs = from.host.procs;
    h.host.next_pid = from.host.next_pid;
    std::string why;
    EXPECT_TRUE(h.tree.adopt(snapshot, h.now, why)) << why;
    h.settle();
  }
  static core::TreeSnapshot take(Harness& from) {
    std::string why;
    auto s = from.tree.snapshot(why);
    EXPECT_TRUE(s) << why;
    return s ? *s : core::TreeSnapshot{};
  }
  core::TreeSnapshot snapshot;
  Harness h;
};

TEST(Snapshot, AdoptsWithoutSpawningAndKeepsCountersDeadlinesAndRuntimeChildren) {
  Harness h(
      root(Strategy::one_for_one, {worker("a"), backing("b", 1000), worker("c"), dynamic("jobs")}, 10, 60));
  h.boot();
  h.crash("a");  // restarts 1
  h.crash("b");  // restarting, due in 1000 ms
  h.advance(300);
  ASSERT_TRUE(h.stop("c").ok);
  ASSERT_EQ(h.add_dynamic("jobs").path, "jobs/1");
  ASSERT_EQ(h.add_dynamic("jobs").path, "jobs/2");
  ASSERT_TRUE(h.stop("jobs/1").ok);
  const int pid_a = *h.tree.status("a")->pid;

  Adopted adopted(h);
  Harness& h2 = adopted.h;
  for (const auto& line : h2.take_log()) EXPECT_EQ(line.find("spawn"), std::string::npos) << line;
  EXPECT_EQ(h2.state("a"), core::ChildState::running);
  EXPECT_EQ(*h2.tree.status("a")->pid, pid_a);
  EXPECT_EQ(h2.restarts("a"), 1);
  EXPECT_EQ(h2.state("b"), core::ChildState::restarting);
  EXPECT_EQ(*h2.tree.status("b")->next_restart_at, *h.tree.status("b")->next_restart_at);
  EXPECT_EQ(h2.state("c"), core::ChildState::stopped);
  EXPECT_TRUE(h2.tree.find("c")->operator_stopped);
  EXPECT_FALSE(h2.exists("jobs/1"));
  EXPECT_TRUE(h2.exists("jobs/2"));
  EXPECT_EQ(h2.add_dynamic("jobs").path, "jobs/3");
  // The backoff fires at its old deadline (700 ms from here), not a fresh one.
  h2.advance(699);
  EXPECT_EQ(h2.state("b"), core::ChildState::restarting);
  h2.advance(1);
  EXPECT_EQ(h2.state("b"), core::ChildState::running);
  // An exit after the adoption is handled as before it.
  h2.crash("a");
  EXPECT_EQ(h2.state("a"), core::ChildState::running);
  EXPECT_EQ(h2.restarts("a"), 2);
}

TEST(Snapshot, IntensityHistoryCarriesOver) {
  Harness h(root(Strategy::one_for_one, {worker("a")}, 2, 10));
  h.boot();
  h.crash("a");
  h.crash("a");  // two restarts in the window: the third gives up
  Adopted adopted(h);
  adopted.h.crash("a");
  EXPECT_EQ(adopted.h.outcome(), core::OutcomeKind::gave_up);
}

TEST(Snapshot, AReadinessWaitKeepsItsDeadline) {
  auto r = worker("r");
  r.worker.ready = config::Ready{config::Ready::Kind::fd};
  r.worker.ready.fd = 3;
  r.worker.ready.timeout_ms = 1000;
  Harness h(root(Strategy::one_for_one, {worker("a"), r}));
  h.host.never_ready.insert("r");
  h.boot();
  h.advance(400);
  ASSERT_EQ(h.state("r"), core::ChildState::starting);
  Adopted adopted(h);
  Harness& h2 = adopted.h;
  h2.host.never_ready.insert("r");
  EXPECT_EQ(h2.state("/"), core::ChildState::starting);
  h2.ready("r");
  EXPECT_EQ(h2.state("r"), core::ChildState::running);
  EXPECT_EQ(h2.outcome(), core::OutcomeKind::booted);
}

TEST(Snapshot, ABusyTreeIsRefusedWithWhy) {
  Harness h(root(Strategy::one_for_one, {worker("a")}));
  h.host.ignore_term.insert("a");
  h.boot();
  h.tree.stop(
      "a", [](const core::OpResult&) {}, h.now);
  std::string why;
  EXPECT_FALSE(h.tree.snapshot(why));
  EXPECT_NE(why.find("busy"), std::string::npos) << why;
}

}  // namespace
}  // namespace arbor::testing
