// `check [PATH]`: whether every worker below PATH (default the root) that should run is
// running, and healthy where it has a health check (docs/PROTOCOL.md, SPEC §12). For
// Docker's HEALTHCHECK and Kubernetes' exec probes: `arborctl check` exits 0 or 1.
//
// Computed in arbord, not in arborctl from `status`: which workers *should* run depends on
// what status does not show (restart type, success_exit_codes, who stopped a child, whether
// a supervisor gave up), and one request keeps a probe cheap.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "daemon/protocol/command.h"

namespace arbor::protocol::commands {

struct Check {
  // Round 2's protocol.
  static constexpr CommandInfo info{"check", 2, Access::observe};
  struct Request {
    std::string path = "/";
    static Request from_json(const nlohmann::json& args);
    nlohmann::json to_json() const;
  };
  // {"path","state","reason"}: a worker that should run and does not (or is not healthy),
  // or a supervisor that gave up. `reason` may be "".
  struct Problem {
    std::string path;
    std::string state;
    std::string reason;
  };
  // {"ok","checked","problems"}: `checked` counts the workers that should run.
  struct Result {
    bool ok = false;
    std::uint64_t checked = 0;
    std::vector<Problem> problems;
    static Result from_json(const nlohmann::json& j);
    nlohmann::json to_json() const;
  };
};

}  // namespace arbor::protocol::commands
