// `reexec [--binary PATH]`: arbord replaces its program in place (same pid), keeping the
// tree, every worker and every descriptor that serves them (docs/DESIGN.md, "In-place
// upgrade"). The reply comes from the new program.
#pragma once

#include <optional>
#include <string>

#include "daemon/protocol/command.h"

namespace arbor::protocol::commands {

struct Reexec {
  static constexpr CommandInfo info{"reexec", 2, Access::operate};
  // {"binary": PATH}: absent, the program arbord was started from.
  struct Request {
    std::optional<std::string> binary;
    static Request from_json(const nlohmann::json& args);
    nlohmann::json to_json() const;
  };
  // {"version", "adopted"[, "fallback"]}: the new program's version; adopted false (with why
  // in fallback) when it could not take the tree over and started it again from the config.
  struct Result {
    std::string version;
    bool adopted = true;
    std::string fallback;
    static Result from_json(const nlohmann::json& j);
    nlohmann::json to_json() const;
  };
};

}  // namespace arbor::protocol::commands
