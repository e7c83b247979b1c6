// Reading a request's `args` object. Every accessor throws ProtocolError(bad_request)
// naming the argument and what was expected; the dispatcher turns that into the reply.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace arbor::control::args {

// Refuses keys other than `allowed`, so a misspelt option is not silently ignored.
void only(const nlohmann::json& args, std::initializer_list<std::string_view> allowed);

std::string required_string(const nlohmann::json& args, std::string_view key);
std::optional<std::string> optional_string(const nlohmann::json& args, std::string_view key);
std::optional<std::int64_t> optional_int(const nlohmann::json& args, std::string_view key, std::int64_t min,
                                         std::int64_t max);
bool optional_bool(const nlohmann::json& args, std::string_view key, bool fallback);

// A child path (SPEC §3): "/" or ids joined by "/"; a leading "/" is accepted.
std::string path(const nlohmann::json& args, std::string_view key = "path");
std::optional<std::string> optional_path(const nlohmann::json& args, std::string_view key = "path");

}  // namespace arbor::control::args
