#include "daemon/protocol/commands/reexec.h"

#include "daemon/protocol/args.h"

namespace arbor::protocol::commands {

using nlohmann::json;

Reexec::Request Reexec::Request::from_json(const json& a) {
  args::only(a, {"binary"});
  return Request{args::optional_string(a, "binary")};
}

json Reexec::Request::to_json() const {
  json j = json::object();
  if (binary) j["binary"] = *binary;
  return j;
}

Reexec::Result Reexec::Result::from_json(const json& j) {
  Result r;
  r.version = get_string(j, "version");
  if (j.is_object() && j.contains("adopted") && j["adopted"].is_boolean())
    r.adopted = j["adopted"].get<bool>();
  r.fallback = get_string(j, "fallback");
  return r;
}

json Reexec::Result::to_json() const {
  json j{{"version", version}, {"adopted", adopted}};
  if (!fallback.empty()) j["fallback"] = fallback;
  return j;
}

}  // namespace arbor::protocol::commands
