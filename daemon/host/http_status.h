// The status code of the answer an http probe reads (SPEC §8): the first line of an
// HTTP/1.x response, "HTTP/1.1 200 OK". A pure function of the bytes read so far, so the
// probe and its fuzz target (tests/fuzz/http_status_fuzz.cpp) share it.
#pragma once

#include <cstddef>
#include <string_view>

namespace arbor::host {

// An answer that has not ended its first line within this many bytes is no HTTP.
inline constexpr std::size_t kMaxStatusLine = 1024;

struct HttpStatus {
  enum class Kind { incomplete, not_http, code };
  Kind kind = Kind::incomplete;
  int code = 0;  // 100–999 when kind is code
};

// `answer`: every byte read so far. incomplete: read on (no '\n' yet, and no more than
// kMaxStatusLine bytes); not_http: the first line is not "HTTP/x.y NNN..." or too long.
HttpStatus http_status(std::string_view answer);

}  // namespace arbor::host
