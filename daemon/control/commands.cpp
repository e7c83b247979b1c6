#include <array>

#include "daemon/control/command.h"

namespace arbor::control {

namespace {
// docs/ARBORCTL.md, in its order (protocol::commands::Commands). Adding a command: its file in
// daemon/protocol/commands/, a line here and its handler, a verb in ctl/verbs.cpp.
constexpr std::array kCommands{
    command<cmd::Status, status>(),     command<cmd::Count, count>(),   command<cmd::Spec, spec>(),
    command<cmd::Start, start>(),       command<cmd::Stop, stop>(),     command<cmd::Restart, restart>(),
    command<cmd::Add, add>(),           command<cmd::Remove, remove>(), command<cmd::Signal, signal>(),
    command<cmd::Logs, logs>(),         command<cmd::Watch, watch>(),   command<cmd::Why, why>(),
    command<cmd::Reload, reload>(),     command<cmd::Wait, wait>(),     command<cmd::Version, version>(),
    command<cmd::Shutdown, shutdown>(), command<cmd::Check, check>(),   command<cmd::Metrics, metrics>(),
    command<cmd::Reexec, reexec>(),
};
static_assert(protocol::commands::lists_every_command(kCommands));
}  // namespace

std::span<const Command> command_table() { return kCommands; }

}  // namespace arbor::control
