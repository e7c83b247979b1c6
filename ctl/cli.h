// arborctl's command line (docs/ARBORCTL.md): `arborctl [--socket PATH] [--json] COMMAND [ARGS]`,
// parsed with CLI11 into the one request to send.
#pragma once

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>

#include "ctl/errors.h"
#include "ctl/verbs.h"

namespace arbor::ctl {

struct Invocation {
  std::string socket;
  bool json = false;
  std::unique_ptr<Verb> verb;                      // the command
  nlohmann::json args = nlohmann::json::object();  // its request's args
};

// Parses argv. Returns nullopt once --help has been printed; throws UsageError.
std::optional<Invocation> parse_cli(int argc, char** argv);

// True when argv asks for --json: known before parsing, so that even a usage error
// is reported as JSON.
bool wants_json(int argc, char** argv);

// $ARBOR_SOCKET if set; else /run/arbor/arbord.sock for root, and for other users
// $XDG_RUNTIME_DIR/arbor/arbord.sock (or /run/arbor/arbord.sock without XDG_RUNTIME_DIR).
std::string default_socket();

}  // namespace arbor::ctl
