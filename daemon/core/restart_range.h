// Which children an automatic restart stops and starts (OTP's restart strategies): a pure
// function of the strategy and the dead child's position, tested on its own.
#pragma once

#include <cstddef>

#include "config/tree_spec.h"

namespace arbor::core {

// Positions [first, last) in the supervisor's child order (its start order).
struct RestartRange {
  std::size_t first = 0;
  std::size_t last = 0;
  bool operator==(const RestartRange&) const = default;
};

// The children restarted when the child at `position` (of `count`) dies:
//   one_for_one and every dynamic supervisor: that child alone;
//   one_for_all: every child;
//   rest_for_one: that child and those started after it.
RestartRange restart_range(config::Strategy strategy, bool dynamic, std::size_t position, std::size_t count);

}  // namespace arbor::core
