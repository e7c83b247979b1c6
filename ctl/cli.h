// arborctl's command line (SPEC §5): `arborctl [--socket PATH] [--json] COMMAND [ARGS]`,
// parsed with CLI11 into the one request to send.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace arbor::ctl {

struct Invocation {
  std::string socket;
  bool json = false;
  std::string cmd;                                  // the protocol command
  nlohmann::json args = nlohmann::json::object();   // its args
  bool stream = false;     // watch, logs -f: print lines after the reply until EOF
  bool until_eof = false;  // shutdown: return once arbord has closed the connection
};

// Exit statuses of SPEC §5.
enum Exit : int { exit_ok = 0, exit_refused = 1, exit_usage = 2, exit_unreachable = 3 };

// Parses argv into an Invocation. On --help (exit_ok) or a usage error (exit_usage,
// message on stderr) returns nullopt and sets `exit_code`.
std::optional<Invocation> parse_cli(int argc, char** argv, int& exit_code);

// $ARBOR_SOCKET if set; else /run/arbor/arbord.sock for root, and for other users
// $XDG_RUNTIME_DIR/arbor/arbord.sock (or /run/arbor/arbord.sock without XDG_RUNTIME_DIR).
std::string default_socket();

}  // namespace arbor::ctl
