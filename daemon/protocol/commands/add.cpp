#include "daemon/protocol/commands/add.h"

#include "daemon/protocol/args.h"

namespace arbor::protocol::commands {

using nlohmann::json;

Add::Request Add::Request::from_json(const json& a) {
  args::only(a, {"path", "spec", "args"});
  Request r;
  r.path = args::path(a);
  if (auto s = a.find("spec"); s != a.end() && !s->is_null()) r.spec = *s;
  if (auto extra = a.find("args"); extra != a.end() && !extra->is_null()) {
    if (!extra->is_array())
      throw ProtocolError(ErrorCode::bad_request, "args.args: expected an array of strings");
    r.args.emplace();
    for (const json& item : *extra) {
      if (!item.is_string())
        throw ProtocolError(ErrorCode::bad_request, "args.args: expected an array of strings");
      r.args->push_back(item.get<std::string>());
    }
  }
  if (r.spec && r.args)
    throw ProtocolError(ErrorCode::bad_request, "give either \"spec\" or \"args\", not both");
  return r;
}

json Add::Request::to_json() const {
  json j{{"path", path}};
  if (spec) j["spec"] = *spec;
  if (args) j["args"] = *args;
  return j;
}

}  // namespace arbor::protocol::commands
