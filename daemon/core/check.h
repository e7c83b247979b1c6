// `check` (docs/ARBORCTL.md, SPEC §12): which workers below a node should be running, and
// which of those are not. Pure: it reads the tree, as `status` does.
//
// A worker should run unless an operator stopped it (or a supervisor above it), or it is
// transient or temporary and ended normally (a temporary one that ended is gone anyway).
// A supervisor that ended on its own by auto_shutdown takes its subtree out of the check;
// one that gave up is a problem. Health is the caller's: it lists the workers that run.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "daemon/core/node.h"
#include "daemon/core/types.h"

namespace arbor::core {

struct CheckProblem {
  std::string path;
  ChildState state = ChildState::stopped;
  std::string reason;  // "gave up", "exit code 1", "" (the state says it)
};

struct CheckReport {
  std::vector<const Node*> running;  // workers that should run and are running
  std::vector<CheckProblem> problems;
  std::size_t expected = 0;  // workers that should run (running, or a problem)
};

CheckReport check(const Node& node);

}  // namespace arbor::core
