// `count PATH` (count_children): the numbers of a supervisor's children (docs/PROTOCOL.md).
#pragma once

#include <cstdint>

#include "daemon/protocol/command.h"

namespace arbor::protocol::commands {

struct Count {
  static constexpr CommandInfo info{"count", 1, Access::observe};
  using Request = PathRequest;
  // {"active","specs","supervisors","workers"}
  struct Result {
    std::uint64_t specs = 0;
    std::uint64_t active = 0;
    std::uint64_t supervisors = 0;
    std::uint64_t workers = 0;
    static Result from_json(const nlohmann::json& j);
    nlohmann::json to_json() const;
  };
};

}  // namespace arbor::protocol::commands
