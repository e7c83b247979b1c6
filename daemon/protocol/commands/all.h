// Every command of the control protocol, in docs/PROTOCOL.md's order. arbord's table
// (daemon/control/commands.cpp) and arborctl's (ctl/verbs.cpp) each list them, and a
// static_assert holds each to this list. Adding a command: a file here, a line in
// Commands, a handler in daemon/control, a printer in ctl/.
#pragma once

#include <cstddef>
#include <tuple>
#include <utility>

#include "daemon/protocol/commands/add.h"
#include "daemon/protocol/commands/check.h"
#include "daemon/protocol/commands/count.h"
#include "daemon/protocol/commands/logs.h"
#include "daemon/protocol/commands/metrics.h"
#include "daemon/protocol/commands/reexec.h"
#include "daemon/protocol/commands/reload.h"
#include "daemon/protocol/commands/remove.h"
#include "daemon/protocol/commands/restart.h"
#include "daemon/protocol/commands/shutdown.h"
#include "daemon/protocol/commands/signal.h"
#include "daemon/protocol/commands/spec.h"
#include "daemon/protocol/commands/start.h"
#include "daemon/protocol/commands/status.h"
#include "daemon/protocol/commands/stop.h"
#include "daemon/protocol/commands/version.h"
#include "daemon/protocol/commands/wait.h"
#include "daemon/protocol/commands/watch.h"
#include "daemon/protocol/commands/why.h"

namespace arbor::protocol::commands {

using Commands = std::tuple<Status, Count, Spec, Start, Stop, Restart, Add, Remove, Signal, Logs, Watch, Why,
                            Reload, Wait, Version, Shutdown, Check, Metrics, Reexec>;

// True when `table` (anything indexable whose entries have `info`, a pointer to a
// CommandInfo) lists exactly Commands, in order: for static_assert on each side's table.
template <typename Table>
constexpr bool lists_every_command(const Table& table) {
  return []<std::size_t... I>(const Table& t, std::index_sequence<I...>) {
    return std::size(t) == sizeof...(I) && ((t[I].info == &std::tuple_element_t<I, Commands>::info) && ...);
  }
  (table, std::make_index_sequence<std::tuple_size_v<Commands>>{});
}

}  // namespace arbor::protocol::commands
