// libFuzzer target: the HTTP head of GET /metrics (daemon/control/http_request.h), fed as
// the server sees it, in arbitrary chunks. Invariants: once a head is complete, malformed
// or too large it stays so as more bytes come (the server answers at the first verdict);
// a complete head has a token method and a target without spaces or controls; a head is
// never "incomplete" at or past the limit; the routing answers 200, 404 or 405 only.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "daemon/control/http_request.h"

using arbor::control::HttpRequestHead;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::size_t limit = 16 + data[0] % 256;  // small limits reach the too_large paths
  std::string received;
  HttpRequestHead::Status first = HttpRequestHead::Status::incomplete;
  std::size_t pos = 1;
  while (pos < size) {
    const std::size_t chunk = 1 + data[pos] % 23;
    const std::size_t n = chunk < size - pos ? chunk : size - pos;
    received.append(reinterpret_cast<const char*>(data) + pos, n);
    pos += n;
    const HttpRequestHead head = arbor::control::parse_http_head(received, limit);
    if (first != HttpRequestHead::Status::incomplete && head.status != first) __builtin_trap();
    if (head.status == HttpRequestHead::Status::incomplete && received.size() >= limit) __builtin_trap();
    if (head.status == HttpRequestHead::Status::complete) {
      if (head.method.empty() || head.target.empty()) __builtin_trap();
      for (const char c : head.target)
        if (c <= ' ' || c == 0x7f) __builtin_trap();
      const int status = arbor::control::http_status_for(head);
      if (status != 200 && status != 404 && status != 405) __builtin_trap();
      if (arbor::control::http_response(status, "text/plain", head.target).empty()) __builtin_trap();
    }
    first = head.status;
  }
  return 0;
}
