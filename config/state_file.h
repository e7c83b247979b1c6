// The state file (`state_file`, SPEC §9): what arbord keeps across its own restarts, read and
// written as text here (pure: no I/O; daemon/app/state_file.* does the files).
//
// Format, version 1 (docs/DESIGN.md, "The state file"):
//   {"version": 1, "operator_stopped": ["web/api", "db"]}
// "operator_stopped" lists the paths of children stopped with `arborctl stop` and not started
// since, in tree order. Keys other than these two are ignored (a later arbord may add some
// within version 1); a file whose version is newer than kStateVersion is refused, as is one
// that is no JSON, not an object, lacks a key, or has a value of another type.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/load.h"

namespace arbor::config {

inline constexpr int kStateVersion = 1;

struct SavedState {
  std::vector<std::string> operator_stopped;  // as written; duplicates dropped, order kept
  bool operator==(const SavedState&) const = default;
};

struct StateParse {
  std::optional<SavedState> state;
  // When state is empty: what is wrong, and where: a JSON pointer ("/operator_stopped/2"),
  // or "" with the line and column in the message for text that is no JSON.
  std::optional<Diagnostic> error;
};

// Never throws, whatever the bytes.
StateParse parse_state(std::string_view text);
// The text of `state` (one line, ending in a newline), which parse_state reads back.
std::string state_text(const SavedState& state);

}  // namespace arbor::config
