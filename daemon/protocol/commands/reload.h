// `reload [--dry-run]`: re-read the config file and apply the difference, or only
// plan it. The reply is the plan, one entry for every path of the old and new trees.
#pragma once

#include <string>
#include <vector>

#include "daemon/protocol/command.h"

namespace arbor::protocol::commands {

struct Reload {
  static constexpr CommandInfo info{"reload", 1, Access::operate};
  struct Request {
    bool dry_run = false;
    static Request from_json(const nlohmann::json& args);
    nlohmann::json to_json() const { return nlohmann::json{{"dry_run", dry_run}}; }
  };
  // {"plan": [{"action","path","reason"}]}; action: add, remove, restart, update, unchanged.
  struct Result {
    struct Entry {
      std::string path;
      std::string action;
      std::string reason;  // the field that caused it
    };
    std::vector<Entry> plan;
    static Result from_json(const nlohmann::json& j);
    nlohmann::json to_json() const;
  };
};

}  // namespace arbor::protocol::commands
