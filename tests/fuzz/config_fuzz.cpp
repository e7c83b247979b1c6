// libFuzzer target: configuration text in, diagnostics or a tree out. The loader must
// never crash, hang, leak or throw, whatever the bytes (deep nesting, huge numbers,
// invalid UTF-8, duplicate keys, long strings).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/load.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  arbor::config::LoadOptions options;
  options.path_env = "/usr/bin:/bin";
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto result = arbor::config::load_text(text, options);
  // Every diagnostic must render, and a loaded tree must survive the spec round trip.
  for (const auto& e : result.errors) (void)arbor::config::to_string(e);
  if (result.tree) {
    for (const auto& child : result.tree->root.supervisor->children) {
      auto back = arbor::config::load_child(arbor::config::to_json(child), "", options);
      if (!back.child) __builtin_trap();
    }
  }
  return 0;
}
