// libFuzzer target: the status line an http probe reads (daemon/host/http_status.h), the
// answer of a server arbord does not control. Invariants: a code is 100–999; "incomplete"
// only while no line has ended within the limit; and the answer is decided by its first
// bytes: once a prefix is decided, every longer read says the same.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "daemon/host/http_status.h"

using arbor::host::http_status;
using arbor::host::HttpStatus;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::string_view all(reinterpret_cast<const char*>(data) + 1, size - 1);
  const HttpStatus whole = http_status(all);
  if (whole.kind == HttpStatus::Kind::code && (whole.code < 100 || whole.code > 999)) __builtin_trap();
  if (whole.kind == HttpStatus::Kind::incomplete &&
      (all.find('\n') != std::string_view::npos || all.size() > arbor::host::kMaxStatusLine)) {
    __builtin_trap();
  }
  const std::size_t cut = all.empty() ? 0 : data[0] % (all.size() + 1);
  const HttpStatus prefix = http_status(all.substr(0, cut));
  if (prefix.kind != HttpStatus::Kind::incomplete &&
      (prefix.kind != whole.kind || prefix.code != whole.code)) {
    __builtin_trap();
  }
  return 0;
}
