// Shared by the loader's translation units; not part of the public API.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/load.h"

namespace arbor::config::detail {

// Ordered so that diagnostics come in file order. The reader also keeps duplicate keys
// as separate members (see json_reader.cpp), which only for_each_member() relies on.
using Json = nlohmann::ordered_json;

inline constexpr int kMaxDepth = 64;
inline constexpr std::int64_t kMaxMillis = 2147483647;  // keeps ms -> ns arithmetic far from overflow

class Ctx {
 public:
  explicit Ctx(const LoadOptions& options);
  void error(std::string pointer, std::string message) {
    errors.push_back({std::move(pointer), std::move(message)});
  }
  void warn(std::string pointer, std::string message) {
    warnings.push_back({std::move(pointer), std::move(message)});
  }

  const LoadOptions& opts;
  std::string path_env;  // opts.path_env, or the environment's PATH
  std::vector<Diagnostic> errors;
  std::vector<Diagnostic> warnings;
  // The listen entries seen so far in this document with their pointers, by port (tcp) or
  // path (unix), for the tree-wide conflict check of listen_parser.cpp.
  std::map<std::string, std::vector<std::pair<Listen, std::string>>> listen_seen;
};

// --- text.cpp: pointers and how values are shown in messages
std::string join(const std::string& pointer, std::string_view key);
std::string join(const std::string& pointer, std::size_t index);
std::string describe(const Json& v);            // "\"abc\"", "5.0", "an object", ...
std::string quote(std::string_view s);          // JSON-quoted, valid UTF-8, truncated when long
std::string sanitize_utf8(std::string_view s);  // invalid bytes become "\xNN"
std::string truncate_utf8(std::string_view s, std::size_t max_bytes);

// --- values.cpp: scalar readers; each reports its own error and returns nullopt on one
struct IntRange {
  std::int64_t min;
  std::int64_t max;
  bool show_max;  // false: max is only an implementation limit, shown when exceeded
};
std::optional<std::int64_t> read_int(const Json& v, const std::string& ptr, IntRange range, Ctx& ctx,
                                     std::string_view alternatives = "",
                                     std::string_view noun = "an integer");
std::optional<std::string> read_string(const Json& v, const std::string& ptr, Ctx& ctx,
                                       bool non_empty = false);
std::optional<std::string> read_absolute_path(const Json& v, const std::string& ptr, Ctx& ctx);
std::optional<bool> read_bool(const Json& v, const std::string& ptr, Ctx& ctx);
std::optional<Shutdown> read_shutdown(const Json& v, const std::string& ptr, Ctx& ctx);
std::optional<int> read_signal(const Json& v, const std::string& ptr, Ctx& ctx);
std::optional<mode_t> read_umask(const Json& v, const std::string& ptr, Ctx& ctx);
// An octal string "0000"–"0777" (at most 4 digits), or nullopt; no error is recorded.
std::optional<mode_t> octal_mode(const Json& v);
// A command line: a non-empty array of strings, the first resolved on PATH
// (resolve_command); nullopt with every error recorded.
std::optional<std::vector<std::string>> read_argv(const Json& v, const std::string& ptr, Ctx& ctx);
bool expect_object(const Json& v, const std::string& ptr, Ctx& ctx);

// Enum readers; the "peek" forms report nothing (used to look ahead at sibling keys).
std::optional<ChildType> read_child_type(const Json& v, const std::string& ptr, Ctx& ctx);
std::optional<RestartType> read_restart(const Json& v, const std::string& ptr, Ctx& ctx);
std::optional<Strategy> read_strategy(const Json& v, const std::string& ptr, Ctx& ctx);
std::optional<AutoShutdown> read_auto_shutdown(const Json& v, const std::string& ptr, Ctx& ctx);
template <class T>
std::optional<T> peek(const Json* v, std::optional<T> (*from)(std::string_view)) {
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return from(v->get_ref<const std::string&>());
}

// First member named key, or nullptr.
const Json* find_key(const Json& object, std::string_view key);
// Calls fn for each member in file order; a repeated key is reported at the object's
// pointer and skipped.
void for_each_member(
    const Json& object, const std::string& ptr, Ctx& ctx,
    const std::function<void(const std::string& key, const Json& value, const std::string& key_ptr)>& fn);

// --- resolve.cpp: the file system and the user databases
std::optional<std::string> resolve_command(const std::string& name, const std::string& ptr, Ctx& ctx);
void check_directory(const std::string& path, const std::string& ptr, Ctx& ctx);
// Fills uid (and gid from the user's primary group when has_group is false).
void resolve_user(const std::string& user, const std::string& ptr, bool has_group, WorkerSpec& w, Ctx& ctx);
void resolve_group(const std::string& group, const std::string& ptr, WorkerSpec& w, Ctx& ctx);

// --- worker_parser.cpp
bool is_worker_key(std::string_view key);
// Handles one worker-only key; obj is the whole child object, for look-ahead.
void parse_worker_key(const std::string& key, const Json& v, const std::string& key_ptr, const Json& obj,
                      WorkerSpec& w, Ctx& ctx);

// --- listen_parser.cpp: the "listen" key; obj is the whole child object (for "ready")
void parse_listen(const Json& v, const std::string& ptr, const Json& obj, WorkerSpec& w, Ctx& ctx);
// The top-level "metrics" object: its "listen" address, checked against the workers' too.
void parse_metrics(const Json& v, const std::string& ptr, MetricsSpec& metrics, Ctx& ctx);
// --- limits_parser.cpp: "limits" of any child, top-level "cgroups"
void parse_limits(const Json& v, const std::string& ptr, Limits& limits, Ctx& ctx);
std::optional<CgroupsMode> read_cgroups_mode(const Json& v, const std::string& ptr, Ctx& ctx);
// --- probe_parser.cpp: `ready`, `health`, `watchdog` (and their probes)
void parse_ready(const Json& v, const std::string& ptr, WorkerSpec& w, Ctx& ctx);
void parse_health(const Json& v, const std::string& ptr, WorkerSpec& w, Ctx& ctx);
void parse_watchdog(const Json& v, const std::string& ptr, WorkerSpec& w, Ctx& ctx);

// --- child_parser.cpp
struct ChildContext {
  enum class Kind { child, root, child_template };
  Kind kind = Kind::child;
  std::optional<AutoShutdown> parent_auto_shutdown;           // nullopt: unknown, not checked
  std::map<std::string, std::string>* sibling_ids = nullptr;  // id -> pointer of its first use
};
std::optional<ChildSpec> parse_child(const Json& j, const std::string& ptr, const ChildContext& cc, Ctx& ctx);

// --- json_reader.cpp
struct ReadResult {
  std::optional<Json> doc;
  std::optional<Diagnostic> error;
};
ReadResult read_json(std::string_view text);
// Converts a caller's DOM, refusing nesting deeper than kMaxDepth.
std::optional<Json> to_ordered(const nlohmann::json& j, int depth = 1);

}  // namespace arbor::config::detail
