// StringTable: the history's strings (paths, errors, the rare fields of kept_event.h), each
// held once with a count of its users, by a 32-bit id; id 0 is "".
//
// Flat, for the 5,000+ distinct paths of a large tree: the strings sit in one vector of
// entries, found through an open-addressed index of ids (linear probing, deletion by
// backward shift, so no tombstones), ~56 bytes a string instead of ~100 in a node map.
// Each entry also holds the seq of its path's last explained event (EventBus::last_of),
// which a map of its own cost another ~40 bytes a path.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace arbor::events {

class StringTable {
 public:
  std::uint32_t acquire(std::string_view text);
  void release(std::uint32_t id);
  const std::string& at(std::uint32_t id) const { return id == 0 ? empty_ : entries_[id].text; }
  // The id of `text` if held.
  std::optional<std::uint32_t> find(std::string_view text) const;
  std::size_t size() const { return count_; }  // strings held (tests)

  // A seq kept with the string (0: none); gone with the string.
  std::uint64_t mark(std::uint32_t id) const { return id == 0 ? empty_mark_ : entries_[id].mark; }
  void set_mark(std::uint32_t id, std::uint64_t seq) { (id == 0 ? empty_mark_ : entries_[id].mark) = seq; }
  void clear_marks();

 private:
  struct Entry {
    std::string text;
    std::uint64_t mark = 0;
    std::uint32_t refs = 0;  // 0: free (on free_)
  };
  static constexpr std::uint32_t kEmpty = 0;         // an index slot holding no id
  std::size_t slot_of(std::string_view text) const;  // where it is, or the free slot it would take
  void grow();

  std::string empty_;
  std::uint64_t empty_mark_ = 0;
  std::vector<Entry> entries_{Entry{}};  // by id; [0] unused
  std::vector<std::uint32_t> free_;      // ids to reuse
  std::vector<std::uint32_t> index_;     // ids by hash; a power of two, at most half full
  std::size_t count_ = 0;
};

}  // namespace arbor::events
