// The core's error codes as the wire spells them (docs/PROTOCOL.md).
#pragma once

#include <optional>
#include <string_view>

#include "daemon/core/error_code.h"

namespace arbor::protocol {

using ErrorCode = core::ErrorCode;

std::string_view to_string(ErrorCode code);
std::optional<ErrorCode> error_code_from_string(std::string_view text);

}  // namespace arbor::protocol
