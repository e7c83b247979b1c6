#include "daemon/protocol/commands/reload.h"

#include "daemon/protocol/args.h"

namespace arbor::protocol::commands {

using nlohmann::json;

Reload::Request Reload::Request::from_json(const json& a) {
  args::only(a, {"dry_run"});
  return Request{args::optional_bool(a, "dry_run", false)};
}

Reload::Result Reload::Result::from_json(const json& j) {
  Result r;
  if (auto p = j.find("plan"); j.is_object() && p != j.end() && p->is_array()) {
    for (const json& e : *p)
      r.plan.push_back({get_string(e, "path"), get_string(e, "action"), get_string(e, "reason")});
  }
  return r;
}

json Reload::Result::to_json() const {
  json entries = json::array();
  for (const Entry& e : plan)
    entries.push_back({{"path", e.path}, {"action", e.action}, {"reason", e.reason}});
  return json{{"plan", std::move(entries)}};
}

}  // namespace arbor::protocol::commands
