#include "daemon/events/string_table.h"

#include <algorithm>
#include <functional>
#include <utility>

namespace arbor::events {

namespace {
std::size_t hash_of(std::string_view text) { return std::hash<std::string_view>{}(text); }
}  // namespace

std::size_t StringTable::slot_of(std::string_view text) const {
  const std::size_t mask = index_.size() - 1;
  for (std::size_t i = hash_of(text) & mask;; i = (i + 1) & mask) {
    const std::uint32_t id = index_[i];
    if (id == kEmpty || entries_[id].text == text) return i;
  }
}

std::optional<std::uint32_t> StringTable::find(std::string_view text) const {
  if (text.empty()) return 0;
  if (index_.empty()) return std::nullopt;
  const std::uint32_t id = index_[slot_of(text)];
  return id == kEmpty ? std::nullopt : std::optional<std::uint32_t>(id);
}

void StringTable::grow() {
  std::vector<std::uint32_t> old(std::max<std::size_t>(16, index_.size() * 2), kEmpty);
  old.swap(index_);
  for (const std::uint32_t id : old)
    if (id != kEmpty) index_[slot_of(entries_[id].text)] = id;
}

std::uint32_t StringTable::acquire(std::string_view text) {
  if (text.empty()) return 0;
  if (2 * (count_ + 1) > index_.size()) grow();
  const std::size_t slot = slot_of(text);
  std::uint32_t id = index_[slot];
  if (id == kEmpty) {
    if (free_.empty()) {
      id = static_cast<std::uint32_t>(entries_.size());
      entries_.emplace_back();
    } else {
      id = free_.back();
      free_.pop_back();
    }
    entries_[id].text.assign(text);
    entries_[id].mark = 0;
    index_[slot] = id;
    ++count_;
  }
  ++entries_[id].refs;
  return id;
}

void StringTable::release(std::uint32_t id) {
  if (id == 0 || id >= entries_.size() || entries_[id].refs == 0) return;
  Entry& entry = entries_[id];
  if (--entry.refs > 0) return;
  // Backward-shift deletion: later entries of the probe run move up into the hole, so a
  // lookup never stops early at it.
  const std::size_t mask = index_.size() - 1;
  std::size_t hole = slot_of(entry.text);
  for (std::size_t i = (hole + 1) & mask; index_[i] != kEmpty; i = (i + 1) & mask) {
    const std::size_t home = hash_of(entries_[index_[i]].text) & mask;
    // Moves when its home is not in (hole, i] (cyclically).
    if (((i - home) & mask) >= ((i - hole) & mask)) {
      index_[hole] = index_[i];
      hole = i;
    }
  }
  index_[hole] = kEmpty;
  entry.text = std::string();  // its heap block goes now
  entry.mark = 0;
  free_.push_back(id);
  --count_;
}

void StringTable::clear_marks() {
  empty_mark_ = 0;
  for (Entry& e : entries_) e.mark = 0;
}

}  // namespace arbor::events
