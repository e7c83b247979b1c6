// `wait PATH [--state S] [--timeout MS]`: a reply once the child is in state S
// (default running); `timeout` when MS pass first, `not_found` if it is removed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "daemon/protocol/command.h"

namespace arbor::protocol::commands {

struct Wait {
  static constexpr CommandInfo info{"wait", 1, Access::observe};
  struct Request {
    std::string path;
    std::string state = "running";  // starting, running, stopping, stopped, restarting
    std::optional<std::int64_t> timeout_ms;
    static Request from_json(const nlohmann::json& args);
    nlohmann::json to_json() const;
  };
  // {"path","state"}: the state reached
  struct Result {
    std::string path;
    std::string state;
    static Result from_json(const nlohmann::json& j) {
      return {get_string(j, "path"), get_string(j, "state")};
    }
    nlohmann::json to_json() const { return nlohmann::json{{"path", path}, {"state", state}}; }
  };
};

}  // namespace arbor::protocol::commands
