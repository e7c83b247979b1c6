// The history's own form of an event (EventBus, SPEC §10: 10,000 are kept): the same fields
// as core::Event in 48 bytes instead of 176, its strings (path, error, the rare fields)
// held once in a StringTable however many kept events name them. Lossless: unpack(pack(e)) == e.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "daemon/core/types.h"
#include "daemon/events/string_table.h"

namespace arbor::events {

// 48 bytes: what most events carry (seq, time, cause, path, pid, exit) inline; the fields
// few events set (delay_ms, bytes, strategy, command, uid, failures, plan_counts) packed as
// bytes into one string of the table (`extra`), which the many events that share the same
// values (every `restarting` of one strategy) hold once.
struct KeptEvent {
  std::uint64_t seq = 0;
  std::int64_t micros = 0;
  std::uint64_t cause = 0;
  std::uint32_t path = 0;  // StringTable ids
  std::uint32_t error = 0;
  std::uint32_t extra = 0;  // 0: none of the rare fields set
  std::int32_t pid = 0;
  std::int32_t exit_value = 0;
  std::uint8_t type = 0;    // core::EventType
  std::uint8_t reason = 0;  // core::ExitReason
  std::uint8_t flags = 0;   // Flag bits: which optionals are set, and the booleans
};

// Packs `event` (its strings acquired from `strings`); release() gives them back.
KeptEvent pack(std::uint64_t seq, std::int64_t micros, const core::Event& event, StringTable& strings);
core::Event unpack(const KeptEvent& kept, const StringTable& strings);
void release(const KeptEvent& kept, StringTable& strings);

}  // namespace arbor::events
