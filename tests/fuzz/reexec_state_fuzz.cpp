// libFuzzer target: the reexec state's reader (daemon/app/reexec_state.h), as the new
// program and its dry run use it: the header, the payload, and the tree it describes
// adopted on a host that does nothing. Whatever the bytes, it answers ok or why; it never
// crashes, hangs, leaks or throws.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "daemon/app/reexec_state.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::string why;
  if (!arbor::app::check_state(bytes, why) && why.empty()) __builtin_trap();  // a refusal says why
  arbor::app::ReexecHeader header;
  (void)arbor::app::decode_header(bytes, header, why);
  return 0;
}
