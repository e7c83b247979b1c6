#include "daemon/protocol/args.h"

#include "daemon/protocol/wire.h"

namespace arbor::protocol::args {

using nlohmann::json;

namespace {
[[noreturn]] void bad(std::string_view key, std::string_view expected) {
  throw ProtocolError(ErrorCode::bad_request,
                      "args." + std::string(key) + ": expected " + std::string(expected));
}

const json* find(const json& args, std::string_view key) {
  auto it = args.find(key);
  if (it == args.end() || it->is_null()) return nullptr;
  return &*it;
}
}  // namespace

void only(const json& args, std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : args.items()) {
    bool known = false;
    for (std::string_view a : allowed) known = known || a == key;
    if (!known) throw ProtocolError(ErrorCode::bad_request, "unknown argument \"" + key + "\"");
  }
}

std::optional<std::string> optional_string(const json& args, std::string_view key) {
  const json* v = find(args, key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) bad(key, "a string");
  return v->get<std::string>();
}

std::string required_string(const json& args, std::string_view key) {
  auto v = optional_string(args, key);
  if (!v) throw ProtocolError(ErrorCode::bad_request, "missing argument \"" + std::string(key) + "\"");
  return *v;
}

std::optional<std::int64_t> optional_int(const json& args, std::string_view key, std::int64_t min,
                                         std::int64_t max) {
  const json* v = find(args, key);
  if (v == nullptr) return std::nullopt;
  const std::string range = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
  if (!v->is_number_integer()) bad(key, range);
  if (v->is_number_unsigned() && v->get<std::uint64_t>() > static_cast<std::uint64_t>(max)) bad(key, range);
  const auto n = v->get<std::int64_t>();
  if (n < min || n > max) bad(key, range);
  return n;
}

bool optional_bool(const json& args, std::string_view key, bool fallback) {
  const json* v = find(args, key);
  if (v == nullptr) return fallback;
  if (!v->is_boolean()) bad(key, "true or false");
  return v->get<bool>();
}

std::string check_path(const std::string& path) {
  if (path == "/") return path;
  std::string_view s = path;
  if (!s.empty() && s.front() == '/') s.remove_prefix(1);
  // Empty segments ("a//b", "a/") never name a child; say so rather than "not_found".
  if (s.empty() || s.back() == '/' || s.find("//") != std::string_view::npos) {
    throw ProtocolError(ErrorCode::bad_request, json(path).dump() +
                                                    " is not a child path: give ids joined by " +
                                                    "\"/\", such as web/api, or / for the root");
  }
  return std::string(s);
}

std::optional<std::string> optional_path(const json& args, std::string_view key) {
  auto p = optional_string(args, key);
  if (!p) return std::nullopt;
  return check_path(*p);
}

std::string path(const json& args, std::string_view key) {
  auto p = optional_path(args, key);
  if (!p) throw ProtocolError(ErrorCode::bad_request, "missing argument \"" + std::string(key) + "\"");
  return *p;
}

}  // namespace arbor::protocol::args
