// One control command: its name on the wire and its handler. The whole list is one
// explicit table (commands.cpp), in SPEC §5 order; nothing registers itself.
#pragma once

#include <nlohmann/json.hpp>

#include <span>
#include <string_view>

#include "daemon/control/daemon.h"
#include "daemon/control/reloader.h"
#include "daemon/control/session.h"

namespace arbor::control {

// What a handler gets: the daemon, the request's args and where to answer. A handler
// replies exactly once (now or later) or throws ProtocolError before replying.
struct Call {
  Daemon& daemon;
  Reloader& reloader;
  const nlohmann::json& args;
  Replier reply;
};

using Handler = void (*)(Call& call);

struct Command {
  std::string_view name;
  Handler handler;
};

std::span<const Command> command_table();

// Handlers, by file: commands_tree.cpp, commands_daemon.cpp, commands_stream.cpp,
// commands_logs.cpp.
void cmd_status(Call&);
void cmd_count(Call&);
void cmd_spec(Call&);
void cmd_start(Call&);
void cmd_stop(Call&);
void cmd_restart(Call&);
void cmd_add(Call&);
void cmd_remove(Call&);
void cmd_signal(Call&);
void cmd_logs(Call&);
void cmd_watch(Call&);
void cmd_reload(Call&);
void cmd_wait(Call&);
void cmd_version(Call&);
void cmd_shutdown(Call&);

}  // namespace arbor::control
