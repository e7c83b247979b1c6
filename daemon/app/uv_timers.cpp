#include "daemon/app/uv_timers.h"

namespace arbor::app {

core::Millis loop_now(uv_loop_t* loop) {
  uv_update_time(loop);
  return static_cast<core::Millis>(uv_now(loop));
}

void UvTimers::arm(core::TimerToken token, core::Millis deadline) {
  auto timer = std::make_unique<Timer>();
  timer->owner = this;
  timer->token = token;
  auto init = [this](uv_timer_t* h) { return uv_timer_init(loop_, h); };
  timer->handle = uv::UvHandle<uv_timer_t>::create(timer.get(), init);
  if (!timer->handle) return;  // uv_timer_init does not fail in libuv 1.x
  const core::Millis now = loop_now(loop_);
  uv_timer_start(timer->handle.get(), &UvTimers::on_timer,
                 static_cast<std::uint64_t>(deadline > now ? deadline - now : 0), 0);
  timers_[token] = std::move(timer);  // closes a timer armed before under the same token
}

// Closing a handle (UvHandle::reset, from the Timer's destruction) also stops it.
void UvTimers::cancel(core::TimerToken token) { timers_.erase(token); }

void UvTimers::close_all() { timers_.clear(); }

void UvTimers::on_timer(uv_timer_t* handle) {
  const auto* timer = static_cast<Timer*>(handle->data);
  UvTimers* self = timer->owner;
  const core::TimerToken token = timer->token;
  self->timers_.erase(token);  // `timer` and `handle`'s data are gone from here
  self->on_fire_(token);
}

}  // namespace arbor::app
