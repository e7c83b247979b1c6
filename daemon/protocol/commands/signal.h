// `signal PATH SIG`: a signal to a child's process group (a supervisor: to every
// worker below it). SIG is a name ("TERM", "SIGHUP", "RTMIN+2") or a number (9 or "9").
#pragma once

#include <string>

#include "daemon/protocol/command.h"

namespace arbor::protocol::commands {

struct Signal {
  static constexpr CommandInfo info{"signal", 1, Access::operate};
  struct Request {
    std::string path;
    std::string signal;    // as sent; arbord resolves it
    bool numeric = false;  // sent as a JSON number
    static Request from_json(const nlohmann::json& args);
    nlohmann::json to_json() const;
  };
  // {"path", "signal": the signal's name}
  struct Result {
    std::string path;
    std::string signal;
    static Result from_json(const nlohmann::json& j);
    nlohmann::json to_json() const;
  };
};

}  // namespace arbor::protocol::commands
