// `stop PATH`: stop a child, keeping its spec (terminate_child). Answers {"path": P} once done.
#pragma once

#include "daemon/protocol/command.h"

namespace arbor::protocol::commands {

struct Stop {
  static constexpr CommandInfo info{"stop", 1, Access::operate};
  using Request = PathRequest;
  using Result = PathResult;
};

}  // namespace arbor::protocol::commands
