// When operator commands are answered (OTP's start_child / restart_child): once the child
// is started — exec done and, with `ready`, ready — or with start_failed; never before.
// A child that starts and exits a moment later was started: {ok, Pid} in OTP, ok here.
#include <gtest/gtest.h>

#include "tests/fakes/fake_host.h"

namespace arbor::testing {
namespace {

using config::RestartType;
using config::Strategy;
using core::ChildState;
using core::ErrorCode;
using core::OpResult;

config::ChildSpec ready_worker(const std::string& id, std::int64_t timeout_ms = 2000) {
  auto w = worker(id);
  w.worker.ready.kind = config::Ready::Kind::notify;
  w.worker.ready.timeout_ms = timeout_ms;
  return w;
}

config::ChildSpec ready_jobs(RestartType restart = RestartType::temporary) {
  auto d = dynamic("jobs", std::nullopt, restart);
  auto tmpl = *d.supervisor->child_template;
  tmpl.worker.ready.kind = config::Ready::Kind::notify;
  tmpl.worker.ready.timeout_ms = 2000;
  d.supervisor->child_template = std::make_shared<const config::ChildSpec>(tmpl);
  return d;
}

// Captures one reply; fails the test if a second comes.
struct Answer {
  std::optional<OpResult> result;
  core::Reply reply() {
    return [this](const OpResult& r) {
      EXPECT_FALSE(result.has_value()) << "reply called twice";
      result = r;
    };
  }
};

// Delivers the pending spawns one by one without settling anything else.
void answer_spawns(Harness& h) {
  while (!h.host.pending_spawns.empty()) {
    const core::SpawnToken token = h.host.pending_spawns.front();
    h.host.pending_spawns.pop_front();
    const std::string path = h.host.spawn_info[token].first;
    h.host.procs[token] = FakeHost::Proc{path, h.host.next_pid++, h.host.spawn_info[token].second, false};
    h.tree.on_spawned(token, h.host.procs[token].pid, h.now);
  }
}

TEST(Reply, AddIsAnsweredOnlyOnceTheHostHasStartedTheProcess) {
  Harness h(root(Strategy::one_for_one, {dynamic("jobs")}));
  h.boot();
  Answer a;
  h.tree.add_dynamic("jobs", {}, a.reply(), h.now);
  EXPECT_FALSE(a.result) << "the spawn is not done yet";
  answer_spawns(h);
  ASSERT_TRUE(a.result);
  EXPECT_TRUE(a.result->ok);
  EXPECT_EQ(a.result->path, "jobs/1");
}

TEST(Reply, AddOfAChildWithReadyIsAnsweredOnceItIsReady) {
  Harness h(root(Strategy::one_for_one, {ready_jobs()}));
  h.host.auto_ready = false;
  h.boot();
  Answer a;
  h.tree.add_dynamic("jobs", {}, a.reply(), h.now);
  h.settle();
  EXPECT_FALSE(a.result) << "exec is done, but the child has not said it is ready";
  EXPECT_EQ(h.state("jobs/1"), ChildState::starting);
  h.ready("jobs/1");
  ASSERT_TRUE(a.result);
  EXPECT_TRUE(a.result->ok);
  EXPECT_EQ(a.result->path, "jobs/1");
}

TEST(Reply, AddOfAChildThatExitsBeforeReadyAnswersStartFailedAndKeepsNothing) {
  Harness h(root(Strategy::one_for_one, {ready_jobs(RestartType::permanent)}));
  h.host.auto_ready = false;
  h.boot();
  Answer a;
  h.tree.add_dynamic("jobs", {}, a.reply(), h.now);
  h.settle();
  ASSERT_FALSE(a.result);
  h.take_log();
  h.exit("jobs/1", core::ExitStatus::code(3));
  ASSERT_TRUE(a.result);
  EXPECT_FALSE(a.result->ok);
  EXPECT_EQ(a.result->code, ErrorCode::start_failed);
  EXPECT_EQ(a.result->message, "jobs/1: exited before ready: exit code 3");
  EXPECT_FALSE(h.exists("jobs/1")) << "OTP keeps no child whose start failed";
  EXPECT_EQ(h.take_log(), std::vector<std::string>{}) << "a failed start is not restarted, even permanent";
}

TEST(Reply, AddOfAChildThatMissesItsReadyTimeoutAnswersStartFailed) {
  Harness h(root(Strategy::one_for_one, {ready_jobs()}));
  h.host.auto_ready = false;
  h.boot();
  Answer a;
  h.tree.add_dynamic("jobs", {}, a.reply(), h.now);
  h.settle();
  h.advance(1999);
  EXPECT_FALSE(a.result);
  h.advance(1);
  ASSERT_TRUE(a.result);
  EXPECT_EQ(a.result->code, ErrorCode::start_failed);
  EXPECT_EQ(a.result->message, "jobs/1: ready: timed out after 2000 ms");
  EXPECT_FALSE(h.exists("jobs/1"));
}

TEST(Reply, AddWhoseExecFailsAnswersStartFailedAndUsesNoFurtherId) {
  Harness h(root(Strategy::one_for_one, {dynamic("jobs")}));
  h.boot();
  h.host.fail_spawn.insert("jobs/1");
  const OpResult r = h.add_dynamic("jobs");
  EXPECT_EQ(r.code, ErrorCode::start_failed);
  EXPECT_EQ(r.message, "jobs/1: exec: No such file or directory");
  EXPECT_FALSE(h.exists("jobs/1"));
  EXPECT_EQ(h.add_dynamic("jobs").path, "jobs/2") << "ids are never reused";
}

TEST(Reply, AChildThatStartsAndExitsAtOnceWasStarted) {
  // OTP: start_child of a child whose start function returns {ok, Pid} and which exits
  // right after answers {ok, Pid}; the exit is then handled as any exit.
  Harness h(root(Strategy::one_for_one, {dynamic("jobs")}));
  h.boot();
  Answer a;
  h.tree.add_dynamic("jobs", {}, a.reply(), h.now);
  answer_spawns(h);
  h.exit("jobs/1", core::ExitStatus::code(1));
  ASSERT_TRUE(a.result);
  EXPECT_TRUE(a.result->ok);
  EXPECT_EQ(a.result->path, "jobs/1");
  EXPECT_FALSE(h.exists("jobs/1")) << "temporary: removed once it ended";
}

TEST(Reply, AddWithASpecIsAnsweredOnceReady) {
  Harness h(root(Strategy::one_for_one, {worker("a")}));
  h.host.auto_ready = false;
  h.boot();
  Answer a;
  h.tree.add("/", ready_worker("r"), a.reply(), h.now);
  h.settle();
  EXPECT_FALSE(a.result);
  h.ready("r");
  ASSERT_TRUE(a.result);
  EXPECT_TRUE(a.result->ok);
  EXPECT_EQ(a.result->path, "r");
}

TEST(Reply, StartAndRestartAreAnsweredOnceReadyOrStartFailed) {
  Harness h(root(Strategy::one_for_one, {ready_worker("r")}));
  h.boot();
  h.host.auto_ready = false;
  ASSERT_TRUE(h.stop("r").ok);

  Answer start;
  h.tree.start("r", start.reply(), h.now);
  h.settle();
  EXPECT_FALSE(start.result);
  h.ready("r");
  ASSERT_TRUE(start.result);
  EXPECT_TRUE(start.result->ok);

  Answer restart;
  h.tree.restart("r", restart.reply(), h.now);
  h.settle();
  EXPECT_FALSE(restart.result) << "stopped and spawned again, not ready yet";
  h.exit("r", core::ExitStatus::code(2));
  ASSERT_TRUE(restart.result);
  EXPECT_EQ(restart.result->code, ErrorCode::start_failed);
  EXPECT_EQ(restart.result->message, "r: exited before ready: exit code 2");
  EXPECT_TRUE(h.exists("r")) << "restart_child keeps the spec of a child that failed to start";
  EXPECT_EQ(h.state("r"), ChildState::stopped);
}

TEST(Reply, RestartOfASupervisorIsAnsweredOnceAllItsChildrenAreStarted) {
  Harness h(root(Strategy::one_for_one,
                 {supervisor("s", Strategy::one_for_one, {worker("x"), ready_worker("y")})}));
  h.boot();
  h.host.auto_ready = false;
  Answer a;
  h.tree.restart("s", a.reply(), h.now);
  h.settle();
  EXPECT_FALSE(a.result) << "s/y is not ready";
  EXPECT_EQ(h.state("s/x"), ChildState::running);
  h.ready("s/y");
  ASSERT_TRUE(a.result);
  EXPECT_TRUE(a.result->ok);
}

}  // namespace
}  // namespace arbor::testing
