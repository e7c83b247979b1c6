// libFuzzer target: state file text in (config/state_file.h), a set of paths or one
// diagnostic out. The reader must never crash, hang, leak or throw, and what it accepts must
// survive its own round trip.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/state_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = arbor::config::parse_state(text);
  if (parsed.state.has_value() == parsed.error.has_value()) __builtin_trap();  // exactly one
  if (parsed.error) {
    (void)arbor::config::to_string(*parsed.error);
    return 0;
  }
  const auto back = arbor::config::parse_state(arbor::config::state_text(*parsed.state));
  if (!back.state || back.state->operator_stopped.size() != parsed.state->operator_stopped.size())
    __builtin_trap();
  return 0;
}
