#include "daemon/protocol/commands/check.h"

#include "daemon/protocol/args.h"

namespace arbor::protocol::commands {

using nlohmann::json;

Check::Request Check::Request::from_json(const json& args) {
  args::only(args, {"path"});
  return Request{args::optional_path(args).value_or("/")};
}

json Check::Request::to_json() const { return json{{"path", path}}; }

Check::Result Check::Result::from_json(const json& j) {
  Result r;
  if (!j.is_object()) return r;
  if (auto ok = j.find("ok"); ok != j.end() && ok->is_boolean()) r.ok = ok->get<bool>();
  r.checked = static_cast<std::uint64_t>(get_int(j, "checked"));
  if (auto p = j.find("problems"); p != j.end() && p->is_array()) {
    for (const json& item : *p) {
      r.problems.push_back({get_string(item, "path"), get_string(item, "state"), get_string(item, "reason")});
    }
  }
  return r;
}

json Check::Result::to_json() const {
  json problems_json = json::array();
  for (const auto& p : problems) {
    problems_json.push_back({{"path", p.path}, {"state", p.state}, {"reason", p.reason}});
  }
  return json{{"ok", ok}, {"checked", checked}, {"problems", std::move(problems_json)}};
}

}  // namespace arbor::protocol::commands
