// Dynamic supervisors: ids never reused, max_children, all-at-once stop.
#include <gtest/gtest.h>

#include "tests/fakes/fake_host.h"

namespace arbor::testing {
namespace {

using config::RestartType;
using config::Strategy;
using Log = std::vector<std::string>;

TEST(Dynamic, IdsCountUpAndAreNeverReused) {
  Harness h(root(Strategy::one_for_one, {dynamic("jobs")}));
  h.boot();
  EXPECT_EQ(h.add_dynamic("jobs").path, "jobs/1");
  EXPECT_EQ(h.add_dynamic("jobs").path, "jobs/2");
  ASSERT_TRUE(h.stop("jobs/2").ok);
  EXPECT_FALSE(h.exists("jobs/2")) << "a stopped dynamic child is removed";
  h.crash("jobs/1");
  EXPECT_FALSE(h.exists("jobs/1")) << "a temporary dynamic child that ends is removed";
  EXPECT_EQ(h.add_dynamic("jobs").path, "jobs/3");
}

TEST(Dynamic, ArgsAreAppendedToTheTemplateCommand) {
  Harness h(root(Strategy::one_for_one, {dynamic("jobs")}));
  h.boot();
  ASSERT_TRUE(h.add_dynamic("jobs", {"--n", "5"}).ok);
  auto spec = h.tree.spec("jobs/1");
  ASSERT_TRUE(spec);
  EXPECT_EQ(spec->worker.command, (std::vector<std::string>{"/bin/true", "--n", "5"}));
}

TEST(Dynamic, MaxChildrenRefusesWithoutUsingAnId) {
  Harness h(root(Strategy::one_for_one, {dynamic("jobs", 2)}));
  h.boot();
  ASSERT_TRUE(h.add_dynamic("jobs").ok);
  ASSERT_TRUE(h.add_dynamic("jobs").ok);
  auto refused = h.add_dynamic("jobs");
  EXPECT_FALSE(refused.ok);
  EXPECT_EQ(refused.code, core::ErrorCode::max_children);
  ASSERT_TRUE(h.stop("jobs/1").ok);
  EXPECT_EQ(h.add_dynamic("jobs").path, "jobs/3");
}

TEST(Dynamic, PermanentChildrenRestartOneForOne) {
  Harness h(root(Strategy::one_for_one, {dynamic("jobs", std::nullopt, RestartType::permanent)}));
  h.boot();
  ASSERT_TRUE(h.add_dynamic("jobs").ok);
  ASSERT_TRUE(h.add_dynamic("jobs").ok);
  h.take_log();
  h.crash("jobs/1");
  EXPECT_EQ(h.take_log(), Log{"spawn jobs/1"});
  EXPECT_EQ(h.restarts("jobs/1"), 1);
}

TEST(Dynamic, TransientChildEndingNormallyIsRemoved) {
  Harness h(root(Strategy::one_for_one, {dynamic("jobs", std::nullopt, RestartType::transient)}));
  h.boot();
  ASSERT_TRUE(h.add_dynamic("jobs").ok);
  h.exit("jobs/1", core::ExitStatus::code(0));
  EXPECT_FALSE(h.exists("jobs/1"));
}

TEST(Dynamic, ChildrenStopAllAtOnce) {
  Harness h(root(Strategy::one_for_one, {dynamic("jobs", std::nullopt, RestartType::permanent)}));
  h.host.ignore_term = {"jobs/1", "jobs/2", "jobs/3"};
  h.boot();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(h.add_dynamic("jobs").ok);
  h.take_log();
  h.tree.shutdown(h.now);
  h.settle();
  // All three are signalled before any of them has exited.
  auto log = h.take_log();
  ASSERT_EQ(log.size(), 3u);
  std::sort(log.begin(), log.end());
  EXPECT_EQ(log, (Log{"signal jobs/1 TERM", "signal jobs/2 TERM", "signal jobs/3 TERM"}));
  h.advance(5000);
  EXPECT_EQ(h.take_log().size(), 3u);  // three SIGKILLs at the same deadline
  EXPECT_EQ(h.outcome(), core::OutcomeKind::stopped);
}

TEST(Dynamic, RefusesStartRestartRemoveAndSpecAdd) {
  Harness h(root(Strategy::one_for_one, {dynamic("jobs", std::nullopt, RestartType::transient)}));
  h.boot();
  ASSERT_TRUE(h.add_dynamic("jobs").ok);
  EXPECT_EQ(h.start("jobs/1").code, core::ErrorCode::bad_request);
  EXPECT_EQ(h.restart("jobs/1").code, core::ErrorCode::bad_request);
  EXPECT_EQ(h.remove("jobs/1").code, core::ErrorCode::bad_request);
  EXPECT_EQ(h.add("jobs", worker("z")).code, core::ErrorCode::bad_request);
  EXPECT_EQ(h.add_dynamic("/").code, core::ErrorCode::bad_request);
}

TEST(Dynamic, AllSignificantShutsDownWhenEmpty) {
  auto d = dynamic("jobs", std::nullopt, RestartType::transient);
  auto tmpl = *d.supervisor->child_template;
  tmpl.significant = true;
  d.supervisor->child_template = std::make_shared<const config::ChildSpec>(tmpl);
  d.supervisor->auto_shutdown = config::AutoShutdown::all_significant;
  d.restart = RestartType::transient;
  Harness h(root(Strategy::one_for_one, {d}));
  h.boot();
  ASSERT_TRUE(h.add_dynamic("jobs").ok);
  ASSERT_TRUE(h.add_dynamic("jobs").ok);
  h.exit("jobs/1", core::ExitStatus::code(0));
  EXPECT_EQ(h.state("jobs"), core::ChildState::running);
  h.exit("jobs/2", core::ExitStatus::code(0));
  EXPECT_EQ(h.state("jobs"), core::ChildState::stopped);
}

}  // namespace
}  // namespace arbor::testing
