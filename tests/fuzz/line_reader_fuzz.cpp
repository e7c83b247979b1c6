// libFuzzer target: the newline framing of the control socket, fed in arbitrary chunks.
// Invariants: no returned line is longer than the cap or contains '\n'; the buffered
// remainder never exceeds the cap by more than one chunk.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "daemon/protocol/line_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::size_t cap = 1 + data[0] % 64;  // small caps reach the overflow paths
  arbor::protocol::LineReader reader(cap);
  std::size_t pos = 1;
  while (pos < size) {
    const std::size_t chunk = 1 + data[pos] % 17;
    const std::size_t n = chunk < size - pos ? chunk : size - pos;
    reader.feed(std::string_view(reinterpret_cast<const char*>(data) + pos, n));
    pos += n;
    while (auto line = reader.next()) {
      if (line->size() > cap || line->find('\n') != std::string::npos) __builtin_trap();
    }
    if (!reader.overflowed() && reader.pending() > cap + 17) __builtin_trap();
  }
  return 0;
}
