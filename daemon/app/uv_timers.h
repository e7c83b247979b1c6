// UvTimers: the core's timers on libuv, one uv_timer_t per armed token. Nothing is
// armed while nothing is pending, so an idle arbord has no timer wakeups.
#pragma once

#include <uv.h>

#include <functional>
#include <memory>
#include <unordered_map>

#include "daemon/core/types.h"
#include "daemon/uv/uv_handle.h"

namespace arbor::app {

class UvTimers {
 public:
  UvTimers(uv_loop_t* loop, std::function<void(core::TimerToken)> on_fire)
      : loop_(loop), on_fire_(std::move(on_fire)) {}
  ~UvTimers() = default;
  UvTimers(const UvTimers&) = delete;
  UvTimers& operator=(const UvTimers&) = delete;

  void arm(core::TimerToken token, core::Millis deadline);
  void cancel(core::TimerToken token);
  void close_all();
  std::size_t armed() const { return timers_.size(); }

 private:
  struct Timer {
    UvTimers* owner = nullptr;
    core::TimerToken token = 0;
    uv::UvHandle<uv_timer_t> handle;  // data: this Timer
  };
  static void on_timer(uv_timer_t* handle);

  uv_loop_t* loop_;
  std::function<void(core::TimerToken)> on_fire_;
  std::unordered_map<core::TimerToken, std::unique_ptr<Timer>> timers_;
};

// The monotonic clock the core sees: libuv's loop time, in ms.
core::Millis loop_now(uv_loop_t* loop);

}  // namespace arbor::app
