#include "daemon/core/restart_intensity.h"

namespace arbor::core {

bool RestartIntensity::add(Millis now) {
  const Millis threshold = now - window_ms_;
  while (!history_.empty() && history_.front() < threshold) history_.pop_front();
  history_.push_back(now);
  return static_cast<long>(history_.size()) <= static_cast<long>(max_restarts_);
}

}  // namespace arbor::core
