#include "daemon/app/uv_timers.h"

namespace arbor::app {

namespace {
struct TimerData {
  UvTimers* owner;
  core::TimerToken token;
};
}  // namespace

core::Millis loop_now(uv_loop_t* loop) {
  uv_update_time(loop);
  return static_cast<core::Millis>(uv_now(loop));
}

UvTimers::~UvTimers() { close_all(); }

void UvTimers::arm(core::TimerToken token, core::Millis deadline) {
  auto* handle = new uv_timer_t;
  uv_timer_init(loop_, handle);
  handle->data = new TimerData{this, token};
  timers_[token] = handle;
  const core::Millis now = loop_now(loop_);
  uv_timer_start(handle, &UvTimers::on_timer, static_cast<std::uint64_t>(deadline > now ? deadline - now : 0), 0);
}

void UvTimers::cancel(core::TimerToken token) {
  auto it = timers_.find(token);
  if (it == timers_.end()) return;
  release(it->second);
  timers_.erase(it);
}

void UvTimers::close_all() {
  for (auto& [token, handle] : timers_) release(handle);
  timers_.clear();
}

void UvTimers::release(uv_timer_t* handle) {
  uv_timer_stop(handle);
  delete static_cast<TimerData*>(handle->data);
  handle->data = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(handle),
           [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
}

void UvTimers::on_timer(uv_timer_t* handle) {
  auto* data = static_cast<TimerData*>(handle->data);
  UvTimers* self = data->owner;
  const core::TimerToken token = data->token;
  self->timers_.erase(token);
  release(handle);
  self->on_fire_(token);
}

}  // namespace arbor::app
