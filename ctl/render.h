// arborctl's human output: the reply's result of each command as text, and stream
// lines (events, log lines). --json bypasses all of this.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "ctl/cli.h"

namespace arbor::ctl {

// The text to print for a successful reply (may be empty).
std::string render_result(const Invocation& inv, const nlohmann::json& result, bool colour);

// The text for one stream line after the reply (an event or a log line).
std::string render_stream_line(const Invocation& inv, const nlohmann::json& line);

// "3d4h", "5m03s", "12s" for a duration in seconds.
std::string format_duration(long long seconds);

}  // namespace arbor::ctl
