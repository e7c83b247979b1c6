// A JSON string written and read without a DOM: the `metrics` reply carries a few MB of text
// in one string, and building an nlohmann value of it (arbord's dump, arborctl's parse and
// copies) cost more than rendering it. Both ends use these so the bytes stay one format.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace arbor::protocol {

// Appends `text` as a JSON string literal (quotes included). Escapes what JSON requires
// (", \, control characters); text with bytes >= 0x80 goes through nlohmann's dump, which
// replaces invalid UTF-8, so the line stays valid JSON whatever `text` holds.
void append_json_string(std::string& out, std::string_view text);

// Reads the JSON string literal at the start of `in` (after optional spaces) and advances
// `in` past it. nullopt when `in` does not start with a well-formed string.
std::optional<std::string> read_json_string(std::string_view& in);

}  // namespace arbor::protocol
