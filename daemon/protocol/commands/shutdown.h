// `shutdown` (OTP's stop): an empty reply, then arbord stops the tree and exits 0; the
// connection stays open until then, so a client reading to EOF knows the tree is down.
#pragma once

#include "daemon/protocol/command.h"

namespace arbor::protocol::commands {

struct Shutdown {
  static constexpr CommandInfo info{"shutdown", 1, Access::operate};
  using Request = NoArgs;
  using Result = Empty;
};

}  // namespace arbor::protocol::commands
