// `add` (start_child): {"path": SUP, "spec": {...}} adds a child spec to a supervisor
// and starts it; {"path": DYNSUP, "args": [...]} starts a child from a dynamic
// supervisor's template with args appended to its command. Answers the new path.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "daemon/protocol/command.h"

namespace arbor::protocol::commands {

struct Add {
  static constexpr CommandInfo info{"add", 1, Access::operate};
  struct Request {
    std::string path;
    std::optional<nlohmann::json> spec;            // checked like the config file, under /spec
    std::optional<std::vector<std::string>> args;  // neither: the template as it is
    static Request from_json(const nlohmann::json& args);
    nlohmann::json to_json() const;
  };
  using Result = PathResult;
};

}  // namespace arbor::protocol::commands
