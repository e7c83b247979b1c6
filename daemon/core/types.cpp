#include "daemon/core/types.h"

namespace arbor::core {

std::string_view to_string(ExitReason r) {
  switch (r) {
    case ExitReason::normal: return "normal";
    case ExitReason::shutdown: return "shutdown";
    case ExitReason::abnormal: return "abnormal";
  }
  return "?";
}

std::string_view to_string(ChildState s) {
  switch (s) {
    case ChildState::stopped: return "stopped";
    case ChildState::starting: return "starting";
    case ChildState::running: return "running";
    case ChildState::stopping: return "stopping";
    case ChildState::restarting: return "restarting";
  }
  return "?";
}

std::string_view to_string(EventType e) {
  switch (e) {
    case EventType::started: return "started";
    case EventType::exited: return "exited";
    case EventType::start_failed: return "start_failed";
    case EventType::restarting: return "restarting";
    case EventType::gave_up: return "gave_up";
    case EventType::added: return "added";
    case EventType::removed: return "removed";
    case EventType::reloaded: return "reloaded";
    case EventType::log_dropped: return "log_dropped";
  }
  return "?";
}

std::string_view to_string(ErrorCode c) {
  switch (c) {
    case ErrorCode::bad_request: return "bad_request";
    case ErrorCode::forbidden: return "forbidden";
    case ErrorCode::not_found: return "not_found";
    case ErrorCode::already_present: return "already_present";
    case ErrorCode::running: return "running";
    case ErrorCode::max_children: return "max_children";
    case ErrorCode::bad_spec: return "bad_spec";
    case ErrorCode::busy: return "busy";
    case ErrorCode::start_failed: return "start_failed";
  }
  return "?";
}

}  // namespace arbor::core
