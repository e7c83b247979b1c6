// `restart PATH`: stop a child, then start it. Answers {"path": P} once done (docs/PROTOCOL.md).
#pragma once

#include "daemon/protocol/command.h"

namespace arbor::protocol::commands {

struct Restart {
  static constexpr CommandInfo info{"restart", 1, Access::operate};
  using Request = PathRequest;
  using Result = PathResult;
};

}  // namespace arbor::protocol::commands
