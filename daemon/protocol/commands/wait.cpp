#include "daemon/protocol/commands/wait.h"

#include "daemon/protocol/args.h"

namespace arbor::protocol::commands {

using nlohmann::json;

Wait::Request Wait::Request::from_json(const json& a) {
  args::only(a, {"path", "state", "timeout_ms"});
  Request r;
  r.path = args::path(a);
  r.state = args::optional_string(a, "state").value_or("running");
  r.timeout_ms = args::optional_int(a, "timeout_ms", 0, 365LL * 24 * 3600 * 1000);
  return r;
}

json Wait::Request::to_json() const {
  json j{{"path", path}, {"state", state}};
  if (timeout_ms) j["timeout_ms"] = *timeout_ms;
  return j;
}

}  // namespace arbor::protocol::commands
