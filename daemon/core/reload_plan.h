// The plan of a reload (docs/ARBORCTL.md): what happens to each path of the old and new trees.
#pragma once

#include <string>
#include <vector>

namespace arbor::core {

enum class ReloadAction { add, remove, restart, update, unchanged };

struct PlanEntry {
  std::string path;
  ReloadAction action = ReloadAction::unchanged;
  std::string reason;  // the field that caused it ("command", "strategy"...), or "" when unchanged
};

struct ReloadPlan {
  std::vector<PlanEntry> entries;
};

inline const char* to_string(ReloadAction a) {
  switch (a) {
    case ReloadAction::add:
      return "add";
    case ReloadAction::remove:
      return "remove";
    case ReloadAction::restart:
      return "restart";
    case ReloadAction::update:
      return "update";
    case ReloadAction::unchanged:
      return "unchanged";
  }
  return "?";
}

}  // namespace arbor::core
