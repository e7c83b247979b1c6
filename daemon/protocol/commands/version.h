// `version`: arbord's version and the protocol version it speaks.
#pragma once

#include <cstdint>
#include <string>

#include "daemon/protocol/command.h"

namespace arbor::protocol::commands {

struct Version {
  static constexpr CommandInfo info{"version", 1, Access::observe};
  using Request = NoArgs;
  // {"arbord","protocol"}
  struct Result {
    std::string arbord;
    std::int64_t protocol = 0;
    static Result from_json(const nlohmann::json& j) {
      return {get_string(j, "arbord"), get_int(j, "protocol")};
    }
    nlohmann::json to_json() const { return nlohmann::json{{"arbord", arbord}, {"protocol", protocol}}; }
  };
};

}  // namespace arbor::protocol::commands
