// What every command definition in daemon/protocol/commands/ has: a name, the
// protocol version that added it, who may call it, and a Request and a Result type
// that convert to and from their JSON (docs/PROTOCOL.md). arbord's handler and arborctl's
// printer both use these types, so a command's arguments and result are spelled once.
//
//   struct Count {
//     static constexpr CommandInfo info{"count", 1, Access::observe};
//     using Request = PathRequest;   // static Request from_json(args); json to_json() const
//     struct Result { ... };         // static Result from_json(result); json to_json() const
//   };
//
// A command that streams lines after its reply (watch, logs -f) also has a `Line` type.
// Request::from_json is strict (unknown keys and bad values throw ProtocolError:
// arbord refuses them); Result::from_json is lenient (a field a newer arbord adds is
// ignored, a missing one takes its default) so arborctl can talk to other versions.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "daemon/protocol/wire.h"

namespace arbor::protocol {

// Who may call a command. `observe` reads the tree; `operate` changes it or arbord.
// A session is granted one level; today every client past the peer check (root or
// arbord's own uid) is granted `operate`, so the levels only differ once round 2
// grants `observe` to someone.
enum class Access { observe, operate };

struct CommandInfo {
  std::string_view name;  // `cmd` on the wire
  int since;              // the protocol version (kProtocolVersion) that added it
  Access access;
};

// A request line's JSON for command C.
template <typename C>
nlohmann::json request_for(const nlohmann::json& id, const typename C::Request& request) {
  return make_request(id, C::info.name, request.to_json());
}

// Lenient readers for Result::from_json: the default when `j` is not an object or
// the field is missing or of another type.
std::string get_string(const nlohmann::json& j, std::string_view key);
std::int64_t get_int(const nlohmann::json& j, std::string_view key);

// The shapes several commands share.

// {"path": P}: status's optional path aside, the argument of every command on one child.
struct PathRequest {
  std::string path;
  static PathRequest from_json(const nlohmann::json& args);
  nlohmann::json to_json() const;
};

// {"path": P}: the child a command acted on (add: the new child's path).
struct PathResult {
  std::string path;
  // Present when the answer is ok but arbord could not keep it: the state file's last write
  // failed (SPEC §9), so the operator stops will not survive a restart of arbord.
  std::optional<std::string> warning;
  static PathResult from_json(const nlohmann::json& result);
  nlohmann::json to_json() const;
};

// A request without arguments: {} (any key is refused).
struct NoArgs {
  static NoArgs from_json(const nlohmann::json& args);
  nlohmann::json to_json() const { return nlohmann::json::object(); }
};

// A result without content: {} (watch's and shutdown's reply).
struct Empty {
  static Empty from_json(const nlohmann::json&) { return {}; }
  nlohmann::json to_json() const { return nlohmann::json::object(); }
};

// How a process ended: {"code": N} or {"signal": "KILL"} (null, "never exited", is
// std::nullopt where it is used).
struct Exit {
  int code = 0;
  std::string signal;  // set: killed by this signal (its name without SIG)
  bool oom = false;    // killed by the OOM killer: "oom": true (absent otherwise)
  static Exit from_json(const nlohmann::json& j);
  nlohmann::json to_json() const;
};

}  // namespace arbor::protocol
