// One readable log line per core event, for arbord's stderr (spdlog).
#pragma once

#include <string>

#include "daemon/core/types.h"

namespace arbor::app {

std::string describe_event(const core::Event& event);
std::string describe_exit(const core::ExitStatus& status);

}  // namespace arbor::app
