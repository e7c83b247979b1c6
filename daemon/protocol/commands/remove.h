// `remove PATH`: remove a stopped child's spec (delete_child). Answers {"path": P} once done.
#pragma once

#include "daemon/protocol/command.h"

namespace arbor::protocol::commands {

struct Remove {
  static constexpr CommandInfo info{"remove", 1, Access::operate};
  using Request = PathRequest;
  using Result = PathResult;
};

}  // namespace arbor::protocol::commands
