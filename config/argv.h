// A worker's argv, packed: each argument followed by a NUL, all in one string.
//
// A spec is kept per configured child (config/lazy.h says why its bytes count): as a
// std::vector<std::string>, `child sleep 7 /tmp/…/ts` is a 24-byte header, a 128-byte
// array and a heap block for each argument longer than 15 bytes, about 240 bytes; packed,
// it is one string of about 80. Readers see std::string_view arguments (each also a C
// string, NUL-terminated in place); the few writers (the parser, a dynamic child's extra
// arguments, tests) append or insert.
#pragma once

#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

namespace arbor::config {

class Argv {
 public:
  // A forward iterator over the arguments: each is the C string at p_.
  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = std::string_view;
    using difference_type = std::ptrdiff_t;
    using pointer = const std::string_view*;
    using reference = std::string_view;
    const_iterator() = default;
    std::string_view operator*() const { return std::string_view(p_); }
    const_iterator& operator++() {
      p_ += std::char_traits<char>::length(p_) + 1;
      return *this;
    }
    const_iterator operator++(int) {
      const_iterator was = *this;
      ++*this;
      return was;
    }
    bool operator==(const const_iterator&) const = default;

   private:
    friend class Argv;
    explicit const_iterator(const char* p) : p_(p) {}
    const char* p_ = nullptr;
  };
  using iterator = const_iterator;
  using value_type = std::string_view;
  using size_type = std::size_t;

  Argv() = default;
  Argv(std::initializer_list<std::string_view> args) { append(args); }
  Argv(const std::vector<std::string>& args) { append(args); }  // NOLINT: as the vector it replaces

  const_iterator begin() const { return const_iterator(packed_.data()); }
  const_iterator end() const { return const_iterator(packed_.data() + packed_.size()); }
  bool empty() const { return packed_.empty(); }
  std::size_t size() const {
    return static_cast<std::size_t>(std::count(packed_.begin(), packed_.end(), '\0'));
  }
  std::string_view operator[](std::size_t i) const {
    return *std::next(begin(), static_cast<std::ptrdiff_t>(i));
  }
  std::string_view front() const { return *begin(); }
  std::vector<std::string> to_vector() const { return {begin(), end()}; }

  // An argument is cut at a NUL, as execve would see it (the config refuses NUL in
  // strings; a request's arguments to a dynamic child are not checked that way).
  void push_back(std::string_view arg) {
    packed_.append(arg.substr(0, arg.find('\0')));
    packed_.push_back('\0');
  }
  template <class Range>
  void append(const Range& args) {
    for (const auto& a : args) push_back(a);
  }
  // Inserts `args` before the argument at `index` (size(): at the end).
  void insert(std::size_t index, std::initializer_list<std::string_view> args) {
    Argv more(args);
    const std::size_t at = index >= size() ? packed_.size() : offset(index);
    packed_.insert(at, more.packed_);
  }
  // Replaces the argument at `index` (size(): appends it).
  void set(std::size_t index, std::string_view arg) {
    if (index >= size()) return push_back(arg);
    const std::size_t at = offset(index);
    const std::size_t len = std::char_traits<char>::length(packed_.data() + at);
    packed_.replace(at, len, arg.substr(0, arg.find('\0')));
  }

  bool operator==(const Argv&) const = default;
  bool operator==(const std::vector<std::string>& v) const {
    return std::equal(begin(), end(), v.begin(), v.end());
  }

 private:
  std::size_t offset(std::size_t index) const {
    return static_cast<std::size_t>(std::next(begin(), static_cast<std::ptrdiff_t>(index)).p_ -
                                    packed_.data());
  }
  std::string packed_;
};

}  // namespace arbor::config
