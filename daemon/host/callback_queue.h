// Runs deferred work on a later loop turn.
//
// ProcessRunner never calls its owner back from inside spawn()/signal() or from the middle
// of its own bookkeeping: results are queued here and delivered from a uv_idle_t. The idle
// handle is active only while the queue is non-empty, so an empty queue costs no wakeups
// (an active idle handle makes the loop poll with a zero timeout; a stopped one is inert).
#pragma once

#include <uv.h>

#include <deque>
#include <functional>

#include "daemon/uv/uv_handle.h"

namespace arbor::host {

class CallbackQueue {
 public:
  explicit CallbackQueue(uv_loop_t* loop);
  ~CallbackQueue();
  CallbackQueue(const CallbackQueue&) = delete;
  CallbackQueue& operator=(const CallbackQueue&) = delete;

  // Queues `fn` to run on a later loop turn, in FIFO order. Ignored after close().
  void post(std::function<void()> fn);

  bool empty() const { return pending_.empty(); }

  // Drops pending work and closes the idle handle.
  void close() noexcept;

 private:
  static void on_idle(uv_idle_t* handle);
  void drain();

  uv::UvHandle<uv_idle_t> idle_;
  std::deque<std::function<void()>> pending_;
  bool closed_ = false;
};

}  // namespace arbor::host
