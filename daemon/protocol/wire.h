// Requests, replies and stream lines of the control protocol (docs/PROTOCOL.md):
// newline-delimited JSON over a Unix stream socket.
//
//   request  {"id": 1, "cmd": "status", "args": {"path": "/"}}
//   reply    {"id": 1, "ok": true, "result": ...}
//            {"id": 1, "ok": false, "error": {"code": "not_found", "message": "..."}}
//   stream   after the reply to `watch` or `logs` with follow: one JSON object per line
//            (an event, or {"path","line"}) until the client hangs up.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

#include "daemon/protocol/error_code.h"

namespace arbor::protocol {

// Bumped when commands are added or change; `version` reports it, and each command's
// CommandInfo::since names the version that added it.
inline constexpr int kProtocolVersion = 2;  // 2: round 2 (check, watch --since, new fields)
// docs/PROTOCOL.md: the largest request line, and the most unread output a client may have.
inline constexpr std::size_t kMaxLineBytes = 1024 * 1024;
inline constexpr std::size_t kMaxQueuedBytes = 1024 * 1024;

// A request that cannot be served as sent (malformed JSON, unknown cmd, bad args).
// Thrown while parsing and checking a request; caught once, at the dispatch boundary,
// and turned into an error reply.
class ProtocolError : public std::runtime_error {
 public:
  ProtocolError(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

struct Request {
  nlohmann::json id;  // echoed in the reply; null when the client sent none
  std::string cmd;
  nlohmann::json args = nlohmann::json::object();
};

// Parses one request line. Throws ProtocolError(bad_request) naming what is wrong;
// `id_out` receives the request's id as soon as it is known, so even a request with
// bad args is answered with its own id.
Request parse_request(std::string_view line, nlohmann::json& id_out);

nlohmann::json make_request(const nlohmann::json& id, std::string_view cmd, nlohmann::json args);
nlohmann::json reply_ok(const nlohmann::json& id, nlohmann::json result);
nlohmann::json reply_error(const nlohmann::json& id, ErrorCode code, std::string_view message);

// One JSON document as a protocol line (compact, "\n"-terminated). Invalid UTF-8 in
// strings (a worker's log line) is replaced, never thrown about.
std::string encode_line(const nlohmann::json& message);
// encode_line(reply_ok(id, R)) for a result R given as its JSON text.
std::string encode_reply_ok(const nlohmann::json& id, std::string_view result);

// A reply as the client sees it.
struct Reply {
  nlohmann::json id;
  bool ok = false;
  nlohmann::json result;   // ok
  std::string error_code;  // !ok
  std::string error_message;
};

// Parses a reply line; throws ProtocolError(bad_request) if it is not one.
Reply parse_reply(std::string_view line);

}  // namespace arbor::protocol
