// The history's own form of an event (EventBus, SPEC §10: 10,000 are kept): the same fields
// as core::Event in 104 bytes instead of 176, its strings (path, error) held once in a
// StringTable however many kept events name them. Lossless: unpack(pack(e)) == e.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "daemon/core/types.h"

namespace arbor::events {

// Strings by a 32-bit id, each kept once with a count of its users; id 0 is "".
class StringTable {
 public:
  std::uint32_t acquire(std::string_view text);
  void release(std::uint32_t id);
  const std::string& at(std::uint32_t id) const { return id == 0 ? empty_ : *entries_[id].text; }
  // The id of `text` if held.
  std::optional<std::uint32_t> find(const std::string& text) const {
    const auto it = index_.find(text);
    return it == index_.end() ? std::nullopt : std::optional<std::uint32_t>(it->second);
  }
  std::size_t size() const { return index_.size(); }  // strings held (tests)

 private:
  struct Entry {
    const std::string* text = nullptr;  // the key in index_ (a node map: its address holds)
    std::uint32_t refs = 0;
  };
  std::string empty_;
  std::vector<Entry> entries_{Entry{}};
  std::vector<std::uint32_t> free_;
  std::unordered_map<std::string, std::uint32_t> index_;
};

struct KeptEvent {
  std::uint64_t seq = 0;
  std::int64_t micros = 0;
  std::uint64_t cause = 0;
  core::Millis delay_ms = 0;
  std::uint64_t bytes = 0;
  const char* strategy = nullptr;
  const char* command = nullptr;
  std::uint32_t path = 0;  // StringTable ids
  std::uint32_t error = 0;
  std::int32_t pid = 0;
  std::int32_t failures = 0;
  std::uint32_t uid = 0;
  std::int32_t exit_value = 0;
  std::array<std::int32_t, 5> plan_counts{};
  std::uint8_t type = 0;    // core::EventType
  std::uint8_t reason = 0;  // core::ExitReason
  std::uint8_t flags = 0;   // Flag bits: which optionals are set, and the booleans
};

// Packs `event` (its strings acquired from `strings`); release() gives them back.
KeptEvent pack(std::uint64_t seq, std::int64_t micros, const core::Event& event, StringTable& strings);
core::Event unpack(const KeptEvent& kept, const StringTable& strings);
void release(const KeptEvent& kept, StringTable& strings);

}  // namespace arbor::events
