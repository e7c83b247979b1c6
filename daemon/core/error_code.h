// Why the core refused an operation (docs/PROTOCOL.md's codes). The core decides them; the
// control protocol spells them on the wire (daemon/protocol/error_code.h).
#pragma once

namespace arbor::core {

// docs/PROTOCOL.md codes, plus two extensions: `start_failed` (a `start`, `restart` or `add`
// whose process could not be started) and `timeout` (`wait` ran out of time).
enum class ErrorCode {
  bad_request,
  forbidden,
  not_found,
  already_present,
  running,
  max_children,
  bad_spec,
  busy,
  start_failed,
  timeout,
};

}  // namespace arbor::core
