#include "daemon/core/types.h"

namespace arbor::core {

std::string_view to_string(ExitReason r) {
  switch (r) {
    case ExitReason::normal:
      return "normal";
    case ExitReason::shutdown:
      return "shutdown";
    case ExitReason::abnormal:
      return "abnormal";
  }
  return "?";
}

std::string_view to_string(ChildState s) {
  switch (s) {
    case ChildState::stopped:
      return "stopped";
    case ChildState::starting:
      return "starting";
    case ChildState::running:
      return "running";
    case ChildState::stopping:
      return "stopping";
    case ChildState::restarting:
      return "restarting";
  }
  return "?";
}

std::string_view to_string(EventType e) {
  switch (e) {
    case EventType::started:
      return "started";
    case EventType::exited:
      return "exited";
    case EventType::start_failed:
      return "start_failed";
    case EventType::restarting:
      return "restarting";
    case EventType::gave_up:
      return "gave_up";
    case EventType::added:
      return "added";
    case EventType::removed:
      return "removed";
    case EventType::reloaded:
      return "reloaded";
    case EventType::log_dropped:
      return "log_dropped";
    case EventType::command:
      return "command";
    case EventType::unhealthy:
      return "unhealthy";
  }
  return "?";
}

std::string_view to_string(HealthState h) {
  switch (h) {
    case HealthState::starting:
      return "starting";
    case HealthState::healthy:
      return "healthy";
    case HealthState::unhealthy:
      return "unhealthy";
  }
  return "?";
}

}  // namespace arbor::core
