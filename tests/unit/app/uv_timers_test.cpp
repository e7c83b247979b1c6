// UvTimers on a real libuv loop: the core's tokens fire in deadline order, a cancelled one
// never fires, a token armed again fires once, and the handles of fired and cancelled
// timers are reused (a bounded pool) without keeping the loop awake.
#include "daemon/app/uv_timers.h"

#include <gtest/gtest.h>

#include <vector>

namespace arbor::app {
namespace {

class UvTimersTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(uv_loop_init(&loop_), 0); }
  void TearDown() override {
    timers_.close_all();
    uv_run(&loop_, UV_RUN_DEFAULT);  // the close callbacks
    EXPECT_EQ(uv_loop_close(&loop_), 0) << "a handle was left open";
  }
  core::Millis in(core::Millis ms) { return loop_now(&loop_) + ms; }
  uv_loop_t loop_{};
  std::vector<core::TimerToken> fired_;
  UvTimers timers_{&loop_, [this](core::TimerToken t) { fired_.push_back(t); }};
};

TEST_F(UvTimersTest, FireInDeadlineOrderAndACancelledOneNever) {
  timers_.arm(1, in(30));
  timers_.arm(2, in(0));
  timers_.arm(3, in(10));
  timers_.arm(4, in(20));
  timers_.cancel(3);
  timers_.cancel(99);  // never armed: nothing happens
  EXPECT_EQ(timers_.armed(), 3U);
  uv_run(&loop_, UV_RUN_DEFAULT);  // returns once nothing is armed: pooled handles are idle
  EXPECT_EQ(fired_, (std::vector<core::TimerToken>{2, 4, 1}));
  EXPECT_EQ(timers_.armed(), 0U);
  EXPECT_EQ(timers_.pooled(), 4U);
}

TEST_F(UvTimersTest, ATokenArmedAgainFiresOnceAtItsNewDeadline) {
  timers_.arm(5, in(10000));
  timers_.arm(5, in(0));
  EXPECT_EQ(timers_.armed(), 1U);
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_EQ(fired_, (std::vector<core::TimerToken>{5}));
}

TEST_F(UvTimersTest, HandlesAreReusedAndThePoolIsBounded) {
  timers_.arm(1, in(0));
  uv_run(&loop_, UV_RUN_DEFAULT);
  ASSERT_EQ(timers_.pooled(), 1U);
  timers_.arm(2, in(0));  // takes the pooled handle
  EXPECT_EQ(timers_.pooled(), 0U);
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_EQ(fired_, (std::vector<core::TimerToken>{1, 2}));
  for (core::TimerToken t = 100; t < 100 + UvTimers::kPoolMax + 50; ++t) timers_.arm(t, in(60000));
  for (core::TimerToken t = 100; t < 100 + UvTimers::kPoolMax + 50; ++t) timers_.cancel(t);
  EXPECT_EQ(timers_.pooled(), UvTimers::kPoolMax) << "the burst's extra handles are closed";
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_EQ(fired_.size(), 2U);
}

TEST_F(UvTimersTest, ATimerMayBeArmedFromTheCallbackOfTheOneThatFired) {
  // The core arms the next probe from the callback of the last: the fired handle is already
  // back in the pool and is the one started again.
  UvTimers chained(&loop_, [&](core::TimerToken t) {
    fired_.push_back(t);
    if (t < 3) chained.arm(t + 1, loop_now(&loop_));
  });
  chained.arm(1, loop_now(&loop_));
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_EQ(fired_, (std::vector<core::TimerToken>{1, 2, 3}));
  EXPECT_EQ(chained.pooled(), 1U);
  chained.close_all();
}

}  // namespace
}  // namespace arbor::app
