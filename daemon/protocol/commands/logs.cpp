#include "daemon/protocol/commands/logs.h"

#include "daemon/protocol/args.h"

namespace arbor::protocol::commands {

using nlohmann::json;

Logs::Request Logs::Request::from_json(const json& a) {
  args::only(a, {"path", "lines", "follow"});
  Request r;
  r.path = args::path(a);
  r.lines = args::optional_int(a, "lines", 0, 1000000).value_or(10);
  r.follow = args::optional_bool(a, "follow", false);
  return r;
}

json Logs::Request::to_json() const { return json{{"path", path}, {"lines", lines}, {"follow", follow}}; }

Logs::Result Logs::Result::from_json(const json& j) {
  Result r{get_string(j, "path"), get_string(j, "file"), {}};
  if (auto l = j.find("lines"); j.is_object() && l != j.end() && l->is_array()) {
    for (const json& line : *l) r.lines.push_back(line.is_string() ? line.get<std::string>() : line.dump());
  }
  return r;
}

json Logs::Result::to_json() const { return json{{"path", path}, {"file", file}, {"lines", lines}}; }

Logs::Line Logs::Line::from_json(const json& j) { return Line{get_string(j, "path"), get_string(j, "line")}; }

}  // namespace arbor::protocol::commands
