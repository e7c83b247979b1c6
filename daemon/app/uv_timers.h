// UvTimers: the core's timers on libuv, one uv_timer_t per armed token. Nothing is
// armed while nothing is pending, so an idle arbord has no timer wakeups.
//
// A timer that fires or is cancelled goes back to a small pool and is started again for
// the next token: the steady arm/fire of health probes (two timers a probe, a thousand
// probes a second) then allocates and closes no handle. The pool is bounded, so a burst
// (5,000 backoff timers at once) gives its handles back afterwards.
#pragma once

#include <uv.h>

#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

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
  std::size_t pooled() const { return pool_.size(); }
  static constexpr std::size_t kPoolMax = 256;

 private:
  struct Timer {
    UvTimers* owner = nullptr;
    core::TimerToken token = 0;
    uv::UvHandle<uv_timer_t> handle;  // data: this Timer
  };
  static void on_timer(uv_timer_t* handle);
  // Stops `timer` and keeps it for the next arm(), or closes it if the pool is full.
  void release(std::unique_ptr<Timer> timer);

  uv_loop_t* loop_;
  std::function<void(core::TimerToken)> on_fire_;
  std::unordered_map<core::TimerToken, std::unique_ptr<Timer>> timers_;
  std::vector<std::unique_ptr<Timer>> pool_;  // stopped, ready to start again
};

// The monotonic clock the core sees: libuv's loop time, in ms.
core::Millis loop_now(uv_loop_t* loop);

}  // namespace arbor::app
