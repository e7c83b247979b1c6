// `why PATH` (SPEC §10): the chain of causes of PATH's last started, exited or gave_up
// event, newest first, down to its root cause (docs/OBSERVABILITY.md).
#pragma once

#include <vector>

#include "daemon/protocol/command.h"
#include "daemon/protocol/commands/watch.h"

namespace arbor::protocol::commands {

struct Why {
  static constexpr CommandInfo info{"why", 2, Access::observe};
  using Request = PathRequest;
  // {"chain": [event, ...]}: events as `watch` sends them, newest first, each one's `cause`
  // the seq of the next; the last is a root cause (cause null) or the oldest still kept.
  struct Result {
    std::vector<Event> chain;
    static Result from_json(const nlohmann::json& j);
    nlohmann::json to_json() const;
  };
};

}  // namespace arbor::protocol::commands
