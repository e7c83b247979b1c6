// The error codes of the wire protocol (SPEC §6), spelled as on the wire.
#pragma once

#include <optional>
#include <string_view>

namespace arbor::protocol {

// SPEC §6 codes, plus two extensions: `start_failed` (a `start`, `restart` or `add`
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

std::string_view to_string(ErrorCode code);
std::optional<ErrorCode> error_code_from_string(std::string_view text);

}  // namespace arbor::protocol
