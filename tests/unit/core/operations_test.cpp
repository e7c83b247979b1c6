// The operations arborctl calls, their successes and every error code.
#include <gtest/gtest.h>

#include "tests/fakes/fake_host.h"

namespace arbor::testing {
namespace {

using config::RestartType;
using config::Strategy;
using core::ChildState;
using core::ErrorCode;
using Log = std::vector<std::string>;

Harness* make() {
  return new Harness(root(Strategy::one_for_one,
                          {worker("a"), worker("t", RestartType::temporary),
                           supervisor("s", Strategy::one_for_one, {worker("x")}), dynamic("jobs", 1)}));
}

TEST(Operations, StopKeepsTheSpecAndIsIdempotent) {
  std::unique_ptr<Harness> h(make());
  h->boot();
  h->take_log();
  EXPECT_TRUE(h->stop("a").ok);
  EXPECT_EQ(h->take_log(), Log{"signal a TERM"});
  EXPECT_EQ(h->state("a"), ChildState::stopped);
  EXPECT_TRUE(h->stop("a").ok) << "stopping a stopped child is not an error";
  EXPECT_EQ(h->stop("nope").code, ErrorCode::not_found);
  EXPECT_EQ(h->stop("a/b").code, ErrorCode::not_found);
  EXPECT_EQ(h->stop("/").code, ErrorCode::bad_request);
}

TEST(Operations, StopOfATemporaryRemovesIt) {
  std::unique_ptr<Harness> h(make());
  h->boot();
  EXPECT_TRUE(h->stop("t").ok);
  EXPECT_FALSE(h->exists("t"));
}

TEST(Operations, StopOfASupervisorStopsItsChildrenInReverse) {
  auto s = supervisor("s", Strategy::one_for_one, {worker("x"), worker("y"), worker("z")});
  Harness h(root(Strategy::one_for_one, {s}));
  h.boot();
  h.take_log();
  EXPECT_TRUE(h.stop("s").ok);
  EXPECT_EQ(h.take_log(), (Log{"signal s/z TERM", "signal s/y TERM", "signal s/x TERM"}));
  EXPECT_EQ(h.state("s/x"), ChildState::stopped);
  EXPECT_EQ(h.start("s/x").code, ErrorCode::busy) << "its supervisor is not running";
  EXPECT_TRUE(h.start("s").ok);
  EXPECT_EQ(h.state("s/z"), ChildState::running);
}

TEST(Operations, StartOnlyAStoppedChild) {
  std::unique_ptr<Harness> h(make());
  h->boot();
  EXPECT_EQ(h->start("a").code, ErrorCode::running);
  ASSERT_TRUE(h->stop("a").ok);
  h->take_log();
  EXPECT_TRUE(h->start("a").ok);
  EXPECT_EQ(h->take_log(), Log{"spawn a"});
  EXPECT_EQ(h->restarts("a"), 0) << "operator starts are not counted";
  EXPECT_EQ(h->start("zzz").code, ErrorCode::not_found);
}

TEST(Operations, StartThatFailsAnswersStartFailed) {
  std::unique_ptr<Harness> h(make());
  h->boot();
  ASSERT_TRUE(h->stop("a").ok);
  h->host.fail_spawn.insert("a");
  auto r = h->start("a");
  EXPECT_EQ(r.code, ErrorCode::start_failed);
  EXPECT_EQ(r.message, "a: exec: No such file or directory");
  EXPECT_EQ(h->state("a"), ChildState::stopped);
}

TEST(Operations, RestartStopsThenStarts) {
  std::unique_ptr<Harness> h(make());
  h->boot();
  h->take_log();
  EXPECT_TRUE(h->restart("a").ok);
  EXPECT_EQ(h->take_log(), (Log{"signal a TERM", "spawn a"}));
  EXPECT_EQ(h->restarts("a"), 0);
  ASSERT_TRUE(h->stop("a").ok);
  EXPECT_TRUE(h->restart("a").ok) << "restart of a stopped child starts it";
  EXPECT_EQ(h->state("a"), ChildState::running);
}

TEST(Operations, RestartOfATemporaryAnswersNotFound) {
  std::unique_ptr<Harness> h(make());
  h->boot();
  EXPECT_EQ(h->restart("t").code, ErrorCode::not_found);
  EXPECT_FALSE(h->exists("t"));
}

TEST(Operations, RemoveOnlyAStoppedChild) {
  std::unique_ptr<Harness> h(make());
  h->boot();
  EXPECT_EQ(h->remove("a").code, ErrorCode::running);
  ASSERT_TRUE(h->stop("a").ok);
  EXPECT_TRUE(h->remove("a").ok);
  EXPECT_FALSE(h->exists("a"));
  EXPECT_EQ(h->remove("a").code, ErrorCode::not_found);
}

TEST(Operations, AddStartsTheChildLastAndRefusesDuplicates) {
  std::unique_ptr<Harness> h(make());
  h->boot();
  h->take_log();
  auto r = h->add("s", worker("new"));
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.path, "s/new");
  EXPECT_EQ(h->take_log(), Log{"spawn s/new"});
  EXPECT_EQ(h->add("s", worker("new")).code, ErrorCode::already_present);
  EXPECT_EQ(h->add("a", worker("z")).code, ErrorCode::bad_request);
  EXPECT_EQ(h->add("nope", worker("z")).code, ErrorCode::not_found);
  auto status = h->tree.status("s");
  ASSERT_TRUE(status);
  EXPECT_EQ(status->children.back().id, "new");
}

TEST(Operations, AddOfASignificantChildMustFitTheSupervisor) {
  std::unique_ptr<Harness> h(make());
  h->boot();
  auto w = worker("sig", RestartType::transient);
  w.significant = true;
  EXPECT_EQ(h->add("s", w).code, ErrorCode::bad_spec);
}

TEST(Operations, AddWhoseStartFailsKeepsNoSpec) {
  std::unique_ptr<Harness> h(make());
  h->boot();
  h->host.fail_spawn.insert("s/bad");
  auto r = h->add("s", worker("bad"));
  EXPECT_EQ(r.code, ErrorCode::start_failed);
  EXPECT_FALSE(h->exists("s/bad"));
}

TEST(Operations, SignalReachesRunningWorkers) {
  std::unique_ptr<Harness> h(make());
  h->boot();
  h->host.ignore_term.insert("a");
  h->take_log();
  EXPECT_TRUE(h->tree.signal("a", 10).ok);
  EXPECT_TRUE(h->tree.signal("s", 1).ok);
  EXPECT_EQ(h->take_log(), (Log{"signal a USR1", "signal s/x HUP"}));
  EXPECT_EQ(h->tree.signal("nope", 1).code, ErrorCode::not_found);
}

TEST(Operations, SignalThatKillsIsAnAbnormalExit) {
  std::unique_ptr<Harness> h(make());
  h->boot();
  h->take_log();
  EXPECT_TRUE(h->tree.signal("a", 15).ok);
  h->settle();
  EXPECT_EQ(h->take_log(), (Log{"signal a TERM", "spawn a"}));
  EXPECT_EQ(h->restarts("a"), 1);
}

TEST(Operations, CountAndStatusAndSpec) {
  std::unique_ptr<Harness> h(make());
  h->boot();
  ASSERT_TRUE(h->stop("a").ok);
  auto c = h->tree.count("/");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->specs, 4u);
  EXPECT_EQ(c->active, 3u);
  EXPECT_EQ(c->supervisors, 2u);
  EXPECT_EQ(c->workers, 2u);
  std::string error;
  EXPECT_FALSE(h->tree.count("a", &error));
  EXPECT_EQ(error, "bad_request");
  EXPECT_FALSE(h->tree.count("zz", &error));
  EXPECT_EQ(error, "not_found");

  auto st = h->tree.status("/");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->id, "/");
  EXPECT_EQ(st->state, ChildState::running);
  ASSERT_EQ(st->children.size(), 4u);
  EXPECT_EQ(st->children[0].state, ChildState::stopped);
  EXPECT_FALSE(st->children[0].pid);
  EXPECT_TRUE(st->children[1].pid);
  EXPECT_EQ(st->children[2].children.at(0).path, "s/x");

  auto spec = h->tree.spec("s");
  ASSERT_TRUE(spec);
  ASSERT_EQ(spec->supervisor->children.size(), 1u);
  EXPECT_EQ(spec->supervisor->children[0].id, "x");
  EXPECT_FALSE(h->tree.spec("zz"));
}

TEST(Operations, CommandsWaitForABusySupervisor) {
  auto r = worker("r");
  r.worker.ready.kind = config::Ready::Kind::fd;
  r.worker.ready.fd = 3;
  Harness h(root(Strategy::one_for_one, {r, worker("b")}));
  h.boot();
  h.host.auto_ready = false;
  h.crash("r");  // restart waits for readiness
  std::optional<core::OpResult> answer;
  h.tree.stop(
      "b", [&](const core::OpResult& res) { answer = res; }, h.now);
  h.settle();
  EXPECT_FALSE(answer) << "the stop waits in the mailbox";
  EXPECT_EQ(h.state("b"), ChildState::running);
  h.ready("r");
  ASSERT_TRUE(answer);
  EXPECT_TRUE(answer->ok);
  EXPECT_EQ(h.state("b"), ChildState::stopped);
}

}  // namespace
}  // namespace arbor::testing
