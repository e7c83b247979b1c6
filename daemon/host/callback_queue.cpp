#include "daemon/host/callback_queue.h"

#include <utility>

#include "daemon/uv/uv_handle.h"

namespace arbor::host {

CallbackQueue::CallbackQueue(uv_loop_t* loop)
    : idle_(uv::UvHandle<uv_idle_t>::create(this, [loop](uv_idle_t* h) { return uv_idle_init(loop, h); })) {}

CallbackQueue::~CallbackQueue() { close(); }

void CallbackQueue::post(std::function<void()> fn) {
  if (closed_) return;
  pending_.push_back(std::move(fn));
  uv_idle_start(idle_.get(), &CallbackQueue::on_idle);
}

void CallbackQueue::close() noexcept {
  if (closed_) return;
  closed_ = true;
  pending_.clear();
  idle_.reset();
}

void CallbackQueue::on_idle(uv_idle_t* handle) {
  if (auto* self = static_cast<CallbackQueue*>(handle->data)) self->drain();
}

void CallbackQueue::drain() {
  // Work queued while draining runs on the next turn, so a callback that queues more work
  // cannot starve the loop. A callback may close() the queue (the owner shutting down):
  // the batch stops there.
  std::deque<std::function<void()>> batch;
  batch.swap(pending_);
  for (auto& fn : batch) {
    if (closed_) return;
    fn();
  }
  if (!closed_ && pending_.empty()) uv_idle_stop(idle_.get());
}

}  // namespace arbor::host
