// restart_range: which children a restart stops and starts, for every strategy and position.
#include "daemon/core/restart_range.h"

#include <gtest/gtest.h>

namespace arbor::testing {
namespace {

using config::Strategy;
using core::restart_range;
using core::RestartRange;

TEST(RestartRange, OneForOneIsTheDeadChildAlone) {
  EXPECT_EQ(restart_range(Strategy::one_for_one, false, 0, 4), (RestartRange{0, 1}));
  EXPECT_EQ(restart_range(Strategy::one_for_one, false, 2, 4), (RestartRange{2, 3}));
  EXPECT_EQ(restart_range(Strategy::one_for_one, false, 3, 4), (RestartRange{3, 4}));
}

TEST(RestartRange, OneForAllIsEveryChildWhereverTheDeadOneIs) {
  for (std::size_t position = 0; position < 4; ++position) {
    EXPECT_EQ(restart_range(Strategy::one_for_all, false, position, 4), (RestartRange{0, 4})) << position;
  }
}

TEST(RestartRange, RestForOneIsTheDeadChildAndThoseStartedAfterIt) {
  EXPECT_EQ(restart_range(Strategy::rest_for_one, false, 0, 4), (RestartRange{0, 4}));
  EXPECT_EQ(restart_range(Strategy::rest_for_one, false, 1, 4), (RestartRange{1, 4}));
  EXPECT_EQ(restart_range(Strategy::rest_for_one, false, 3, 4), (RestartRange{3, 4}));
}

TEST(RestartRange, DynamicIsAlwaysTheDeadChildAlone) {
  for (Strategy s : {Strategy::one_for_one, Strategy::one_for_all, Strategy::rest_for_one}) {
    EXPECT_EQ(restart_range(s, true, 0, 3), (RestartRange{0, 1}));
    EXPECT_EQ(restart_range(s, true, 1, 3), (RestartRange{1, 2}));
  }
}

TEST(RestartRange, AnOnlyChildIsItsOwnGroup) {
  for (Strategy s : {Strategy::one_for_one, Strategy::one_for_all, Strategy::rest_for_one}) {
    EXPECT_EQ(restart_range(s, false, 0, 1), (RestartRange{0, 1}));
  }
}

TEST(RestartRange, APositionOutsideTheChildrenIsEmpty) {
  EXPECT_EQ(restart_range(Strategy::one_for_all, false, 4, 4), (RestartRange{}));
  EXPECT_EQ(restart_range(Strategy::one_for_one, false, 0, 0), (RestartRange{}));
}

}  // namespace
}  // namespace arbor::testing
