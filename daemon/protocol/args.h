// Reading a request's `args` object, for the commands' Request::from_json. Every
// accessor throws ProtocolError(bad_request) naming the argument and what was expected;
// the dispatcher turns that into the reply, arborctl into a usage error.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace arbor::protocol::args {

// Refuses keys other than `allowed`, so a misspelt option is not silently ignored.
void only(const nlohmann::json& args, std::initializer_list<std::string_view> allowed);

std::string required_string(const nlohmann::json& args, std::string_view key);
std::optional<std::string> optional_string(const nlohmann::json& args, std::string_view key);
std::optional<std::int64_t> optional_int(const nlohmann::json& args, std::string_view key, std::int64_t min,
                                         std::int64_t max);
bool optional_bool(const nlohmann::json& args, std::string_view key, bool fallback);

// A child path (docs/SEMANTICS.md): "/" or ids joined by "/"; a leading "/" is accepted. A bad
// one is refused in words a person reading arborctl's message understands.
std::string path(const nlohmann::json& args, std::string_view key = "path");
std::optional<std::string> optional_path(const nlohmann::json& args, std::string_view key = "path");
// The same check for a path already in hand ("web/api/" -> throws).
std::string check_path(const std::string& path);

}  // namespace arbor::protocol::args
