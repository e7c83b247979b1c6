// permanent / transient / temporary under normal, abnormal and shutdown exits.
#include <gtest/gtest.h>

#include "tests/fakes/fake_host.h"

namespace arbor::testing {
namespace {

using config::RestartType;
using core::ChildState;
using core::ExitStatus;

struct Case {
  RestartType type;
  ExitStatus status;
  bool restarted;
  bool removed;
};

class RestartTypeTest : public ::testing::TestWithParam<Case> {};

TEST_P(RestartTypeTest, DecidesLikeOtp) {
  const Case& c = GetParam();
  Harness h(root(config::Strategy::one_for_one, {worker("x", c.type), worker("other")}));
  h.boot();
  h.take_log();
  h.exit("x", c.status);
  const auto log = h.take_log();
  EXPECT_EQ(log, c.restarted ? std::vector<std::string>{"spawn x"} : std::vector<std::string>{});
  EXPECT_EQ(h.exists("x"), !c.removed);
  if (!c.removed) {
    EXPECT_EQ(h.state("x"), c.restarted ? ChildState::running : ChildState::stopped);
  }
  EXPECT_EQ(h.state("other"), ChildState::running);
}

INSTANTIATE_TEST_SUITE_P(Matrix, RestartTypeTest,
                         ::testing::Values(Case{RestartType::permanent, ExitStatus::code(0), true, false},
                                           Case{RestartType::permanent, ExitStatus::code(3), true, false},
                                           Case{RestartType::permanent, ExitStatus::signal(9), true, false},
                                           Case{RestartType::transient, ExitStatus::code(0), false, false},
                                           Case{RestartType::transient, ExitStatus::code(3), true, false},
                                           Case{RestartType::transient, ExitStatus::signal(15), true, false},
                                           Case{RestartType::temporary, ExitStatus::code(0), false, true},
                                           Case{RestartType::temporary, ExitStatus::code(3), false, true},
                                           Case{RestartType::temporary, ExitStatus::signal(9), false, true}));

TEST(RestartType, SuccessExitCodesDefineNormal) {
  auto x = worker("x", RestartType::transient);
  x.worker.success_exit_codes = {0, 42};
  Harness h(root(config::Strategy::one_for_one, {x}));
  h.boot();
  h.take_log();
  h.exit("x", ExitStatus::code(42));
  EXPECT_EQ(h.take_log(), std::vector<std::string>{});
  EXPECT_EQ(h.state("x"), ChildState::stopped);
}

TEST(RestartType, ShutdownExitIsNeverRestarted) {
  // Reason shutdown: the child ended after arbor asked it to stop, whatever its type.
  for (RestartType t : {RestartType::permanent, RestartType::transient, RestartType::temporary}) {
    Harness h(root(config::Strategy::one_for_one, {worker("x", t)}));
    h.boot();
    ASSERT_TRUE(h.stop("x").ok);
    h.take_log();
    h.advance(10000);
    EXPECT_EQ(h.take_log(), std::vector<std::string>{});
    EXPECT_EQ(h.exists("x"), t != RestartType::temporary);
    auto lines = h.event_lines();
    EXPECT_NE(std::find(lines.begin(), lines.end(), "exited x shutdown"), lines.end());
  }
}

TEST(RestartType, ExitReasonsAreReported) {
  Harness h(root(config::Strategy::one_for_one, {worker("x", RestartType::transient)}));
  h.boot();
  h.exit("x", ExitStatus::code(2));
  h.exit("x", ExitStatus::code(0));
  auto lines = h.event_lines();
  EXPECT_NE(std::find(lines.begin(), lines.end(), "exited x abnormal"), lines.end());
  EXPECT_NE(std::find(lines.begin(), lines.end(), "exited x normal"), lines.end());
  EXPECT_NE(std::find(lines.begin(), lines.end(), "restarting x 0"), lines.end());
}

}  // namespace
}  // namespace arbor::testing
