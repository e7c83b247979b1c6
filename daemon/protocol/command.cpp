#include "daemon/protocol/command.h"

#include "daemon/protocol/args.h"

namespace arbor::protocol {

using nlohmann::json;

std::string get_string(const json& j, std::string_view key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

std::int64_t get_int(const json& j, std::string_view key) {
  if (!j.is_object()) return 0;
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

PathRequest PathRequest::from_json(const json& args) {
  args::only(args, {"path"});
  return PathRequest{args::path(args)};
}

json PathRequest::to_json() const { return json{{"path", path}}; }

PathResult PathResult::from_json(const json& result) {
  PathResult r{get_string(result, "path"), std::nullopt};
  if (auto w = result.find("warning"); w != result.end() && w->is_string()) r.warning = w->get<std::string>();
  return r;
}

json PathResult::to_json() const {
  json j{{"path", path}};
  if (warning) j["warning"] = *warning;
  return j;
}

NoArgs NoArgs::from_json(const json& args) {
  args::only(args, {});
  return NoArgs{};
}

Exit Exit::from_json(const json& j) {
  Exit e;
  if (!j.is_object()) return e;
  if (auto s = j.find("signal"); s != j.end() && s->is_string()) e.signal = s->get<std::string>();
  if (auto c = j.find("code"); c != j.end() && c->is_number_integer()) e.code = c->get<int>();
  if (auto o = j.find("oom"); o != j.end() && o->is_boolean()) e.oom = o->get<bool>();
  return e;
}

json Exit::to_json() const {
  json j = signal.empty() ? json{{"code", code}} : json{{"signal", signal}};
  if (oom) j["oom"] = true;
  return j;
}

}  // namespace arbor::protocol
