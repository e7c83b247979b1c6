#include "daemon/protocol/error_code.h"

#include <array>

namespace arbor::protocol {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::bad_request:
      return "bad_request";
    case ErrorCode::forbidden:
      return "forbidden";
    case ErrorCode::not_found:
      return "not_found";
    case ErrorCode::already_present:
      return "already_present";
    case ErrorCode::running:
      return "running";
    case ErrorCode::max_children:
      return "max_children";
    case ErrorCode::bad_spec:
      return "bad_spec";
    case ErrorCode::busy:
      return "busy";
    case ErrorCode::start_failed:
      return "start_failed";
    case ErrorCode::timeout:
      return "timeout";
  }
  return "bad_request";
}

std::optional<ErrorCode> error_code_from_string(std::string_view text) {
  constexpr std::array all{ErrorCode::bad_request,     ErrorCode::forbidden, ErrorCode::not_found,
                           ErrorCode::already_present, ErrorCode::running,   ErrorCode::max_children,
                           ErrorCode::bad_spec,        ErrorCode::busy,      ErrorCode::start_failed,
                           ErrorCode::timeout};
  for (ErrorCode code : all) {
    if (to_string(code) == text) return code;
  }
  return std::nullopt;
}

}  // namespace arbor::protocol
