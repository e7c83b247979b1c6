// `start PATH`: start a stopped child from its spec (restart_child). Answers {"path": P} once done.
#pragma once

#include "daemon/protocol/command.h"

namespace arbor::protocol::commands {

struct Start {
  static constexpr CommandInfo info{"start", 1, Access::operate};
  using Request = PathRequest;
  using Result = PathResult;
};

}  // namespace arbor::protocol::commands
