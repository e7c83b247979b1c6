#include "daemon/app/uv_timers.h"

namespace arbor::app {

core::Millis loop_now(uv_loop_t* loop) {
  uv_update_time(loop);
  return static_cast<core::Millis>(uv_now(loop));
}

void UvTimers::arm(core::TimerToken token, core::Millis deadline) {
  std::unique_ptr<Timer> timer;
  if (!pool_.empty()) {
    timer = std::move(pool_.back());
    pool_.pop_back();
  } else {
    timer = std::make_unique<Timer>();
    timer->owner = this;
    auto init = [this](uv_timer_t* h) { return uv_timer_init(loop_, h); };
    timer->handle = uv::UvHandle<uv_timer_t>::create(timer.get(), init);
    if (!timer->handle) return;  // uv_timer_init does not fail in libuv 1.x
  }
  timer->token = token;
  const core::Millis now = loop_now(loop_);
  uv_timer_start(timer->handle.get(), &UvTimers::on_timer,
                 static_cast<std::uint64_t>(deadline > now ? deadline - now : 0), 0);
  auto [it, inserted] = timers_.try_emplace(token);
  if (!inserted) release(std::move(it->second));  // armed before under the same token
  it->second = std::move(timer);
}

void UvTimers::release(std::unique_ptr<Timer> timer) {
  if (!timer) return;
  if (pool_.size() >= kPoolMax) return;  // destroyed: UvHandle's close stops and frees it
  uv_timer_stop(timer->handle.get());
  timer->token = 0;
  pool_.push_back(std::move(timer));
}

void UvTimers::cancel(core::TimerToken token) {
  auto it = timers_.find(token);
  if (it == timers_.end()) return;
  release(std::move(it->second));
  timers_.erase(it);
}

void UvTimers::close_all() {
  timers_.clear();
  pool_.clear();
}

void UvTimers::on_timer(uv_timer_t* handle) {
  auto* timer = static_cast<Timer*>(handle->data);
  UvTimers* self = timer->owner;
  const core::TimerToken token = timer->token;
  self->cancel(token);  // back to the pool (a one-shot timer has stopped already)
  self->on_fire_(token);
}

}  // namespace arbor::app
