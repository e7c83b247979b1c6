#include <array>

#include "daemon/control/command.h"

namespace arbor::control {

namespace {
// SPEC §5, in its order. Adding a command means a line here, a handler, a page in
// docs/ARBORCTL.md and a subcommand in ctl/.
constexpr std::array kCommands{
    Command{"status", cmd_status},   Command{"count", cmd_count},     Command{"spec", cmd_spec},
    Command{"start", cmd_start},     Command{"stop", cmd_stop},       Command{"restart", cmd_restart},
    Command{"add", cmd_add},         Command{"remove", cmd_remove},   Command{"signal", cmd_signal},
    Command{"logs", cmd_logs},       Command{"watch", cmd_watch},     Command{"reload", cmd_reload},
    Command{"wait", cmd_wait},       Command{"version", cmd_version}, Command{"shutdown", cmd_shutdown},
};
}  // namespace

std::span<const Command> command_table() { return kCommands; }

}  // namespace arbor::control
