// The little HTTP/1.1 that GET /metrics needs (SPEC §11, docs/OBSERVABILITY.md): reading a
// request's line and headers, bounded, and choosing the answer. Pure functions over the
// bytes received so far, unit-tested and fuzzed (tests/fuzz/http_request_fuzz.cpp); the
// socket side is daemon/control/socket/metrics_server.*. A request body is never read:
// GET has none, and any other method is refused.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace arbor::control {

// What the request line and headers allow at most (the whole head, with its blank line).
inline constexpr std::size_t kMaxHttpHead = 8 * 1024;

struct HttpRequestHead {
  enum class Status {
    incomplete,  // no blank line yet, nothing wrong so far: read on
    complete,    // method, target and version read, headers well formed
    malformed,   // not HTTP/1.x: answer 400
    too_large,   // no end within `max_bytes`: answer 431
  };
  Status status = Status::incomplete;
  std::string method;
  std::string target;  // as sent: "/metrics", "/metrics?x=1"
  std::string why;     // malformed, too_large: what was wrong, for the log
};

// Reads `received` (every byte so far): the request line METHOD SP TARGET SP HTTP/1.x and
// header lines "Name: value", each ending in CRLF (a bare LF is accepted), then an empty
// line. A malformed request line is reported as soon as it is complete.
HttpRequestHead parse_http_head(std::string_view received, std::size_t max_bytes = kMaxHttpHead);

// The answer to a complete head: 200 for GET /metrics (a query string is ignored), 404 for
// another path, 405 for another method on /metrics.
int http_status_for(const HttpRequestHead& head);

// A whole response with Content-Length and Connection: close. 405 says Allow: GET.
std::string http_response(int status, std::string_view content_type, std::string_view body);

// "OK", "Not Found", ... for the statuses above (and 400, 431, 503, 408).
std::string_view http_reason(int status);

}  // namespace arbor::control
