// Loading and validating the configuration file (docs/CONFIG.md) into a TreeSpec.
//
// Every entry point collects all errors of its input in document order and never throws:
// a caller can print the diagnostics as they are, one per line, and exit with status 2.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/tree_spec.h"

namespace arbor::config {

// One problem, located by the JSON pointer (RFC 6901) of the offending value; "" is the
// whole document. A missing required key is reported at the pointer it should have had.
struct Diagnostic {
  std::string pointer;
  std::string message;
  bool operator==(const Diagnostic&) const = default;
};

// "POINTER: message", e.g. "/root/children/2/shutdown: expected ...".
// "/root/children/2/shutdown: expected ..."; an error about the whole file (it cannot be
// read, or is no JSON) has no pointer and is its message alone.
std::string to_string(const Diagnostic&);
// The same, but an error about the whole file names `file` instead: "/etc/arbor/arbor.json:
// parse error at line 3, column 5: ...". For --check and reload, which know the file.
std::string to_string(const Diagnostic&, std::string_view file);

struct LoadOptions {
  // PATH used to resolve a bare command[0]; empty = getenv("PATH"), or
  // "/usr/local/bin:/usr/bin:/bin" when that is unset too.
  std::string path_env;
  // Resolve user and group names with the passwd/group databases. When false, only
  // numeric values fill WorkerSpec::uid/gid and names are left unresolved.
  bool resolve_users = true;
  // Check that an absolute command[0] is an executable file and that cwd is a directory.
  // A bare command[0] is searched on PATH either way, since it must become absolute.
  bool check_paths = true;
  // Relative "socket" and "log_dir" are taken relative to this directory; empty = the
  // current directory. load_file sets it to the config file's own directory, so a tree
  // can keep its socket and logs beside it (the demo does).
  std::string base_dir;
  // load_child only: the auto_shutdown of the supervisor the child will go under, so that
  // "significant": true under "never" is reported. Unset = not checked.
  std::optional<AutoShutdown> parent_auto_shutdown;
};

struct LoadResult {
  std::optional<TreeSpec> tree;  // set iff errors is empty
  std::vector<Diagnostic> errors;
  std::vector<Diagnostic> warnings;  // e.g. a backoff that makes max_restarts unreachable
};

LoadResult load_text(std::string_view json_text, const LoadOptions& = {});
// An unreadable file gives one diagnostic with pointer "" naming the path and the reason.
LoadResult load_file(const std::string& path, const LoadOptions& = {});

struct ChildResult {
  std::optional<ChildSpec> child;  // set iff errors is empty
  std::vector<Diagnostic> errors;
};

// One child spec with its id (as for `arborctl add SUP --spec JSON`); diagnostics are
// located under pointer_prefix (e.g. "" or "/spec"). Uniqueness of the id among the
// siblings is the caller's business.
ChildResult load_child(const nlohmann::json& j, const std::string& pointer_prefix, const LoadOptions& = {});

// The spec as a user would write it, accepted back by load_child. command[0] is the
// resolved absolute path, user/group as written, durations in ms, umask as an octal
// string, stop_signal as a name. A template (id "") is written without "id".
nlohmann::json to_json(const ChildSpec&);

std::string_view to_string(ChildType);
std::string_view to_string(RestartType);
std::string_view to_string(Strategy);
std::string_view to_string(AutoShutdown);

std::optional<ChildType> child_type_from_string(std::string_view);
std::optional<RestartType> restart_type_from_string(std::string_view);
std::optional<Strategy> strategy_from_string(std::string_view);
std::optional<AutoShutdown> auto_shutdown_from_string(std::string_view);

// "TERM", "SIGTERM", "term", "RTMIN+2", "9" -> the signal number; nullopt unless 1..64.
std::optional<int> signal_from_name(std::string_view);
// 9 -> "KILL", 15 -> "TERM", 36 -> "RTMIN+2"; anything unnamed -> the number as text.
std::string signal_name(int signo);

}  // namespace arbor::config
