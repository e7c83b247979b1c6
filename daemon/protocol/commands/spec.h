// `spec PATH` (get_childspec): a child's spec as JSON, accepted back by `add --spec`.
#pragma once

#include "daemon/protocol/command.h"

namespace arbor::protocol::commands {

struct Spec {
  static constexpr CommandInfo info{"spec", 1, Access::observe};
  using Request = PathRequest;
  // The configuration's own shape (docs/CONFIG.md), passed through as it is.
  struct Result {
    nlohmann::json spec;
    static Result from_json(const nlohmann::json& j) { return Result{j}; }
    nlohmann::json to_json() const { return spec; }
  };
};

}  // namespace arbor::protocol::commands
