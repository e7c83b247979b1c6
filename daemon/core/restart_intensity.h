// RestartIntensity: OTP's max_restarts in max_seconds on a sliding window.
#pragma once

#include <deque>

#include "daemon/core/types.h"

namespace arbor::core {

class RestartIntensity {
 public:
  RestartIntensity(int max_restarts, Millis window_ms) : max_restarts_(max_restarts), window_ms_(window_ms) {}

  // Records a restart at `now`. Returns false when it makes more than max_restarts
  // within the window: the supervisor must give up. As OTP does, a restart exactly
  // `window` ago still counts (the boundary is inclusive), but on exact milliseconds.
  bool add(Millis now);
  void reset() { history_.clear(); }
  void set_limits(int max_restarts, Millis window_ms) {
    max_restarts_ = max_restarts;
    window_ms_ = window_ms;
  }
  std::size_t recent() const { return history_.size(); }
  // The restart times kept (oldest first), and putting them back (reexec, snapshot.h).
  const std::deque<Millis>& history() const { return history_; }
  void restore(std::deque<Millis> history) { history_ = std::move(history); }

 private:
  int max_restarts_;
  Millis window_ms_;
  std::deque<Millis> history_;  // oldest first
};

}  // namespace arbor::core
