// The reexec state's payload as compact tokens (format 3, reexec_state.h): numbers in
// decimal and strings as <length>:<bytes>, each followed by one space. Written and read in
// the same order, field by field; no names, no nesting: 5,000 workers are read in
// milliseconds. The reader checks every token and throws std::invalid_argument on the first
// that is not what it expects (the codec turns that into a refusal with a reason).
#pragma once

#include <charconv>
#include <concepts>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace arbor::app::wire {

class Writer {
 public:
  template <std::integral T>
  void num(T v) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, r.ptr);
    out_ += ' ';
  }
  void flag(bool v) { out_ += v ? "1 " : "0 "; }
  void str(std::string_view s) {
    num(s.size());
    out_.back() = ':';
    out_.append(s);
    out_ += ' ';
  }
  std::string& bytes() { return out_; }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  template <std::integral T>
  T num() {
    T v{};
    const auto r = std::from_chars(in_.data() + at_, in_.data() + in_.size(), v);
    if (r.ec != std::errc{} || r.ptr == in_.data() + in_.size() || *r.ptr != ' ') fail("a number");
    at_ = static_cast<std::size_t>(r.ptr - in_.data()) + 1;
    return v;
  }
  bool flag() {
    const auto v = num<int>();
    if (v != 0 && v != 1) fail("a flag");
    return v == 1;
  }
  // An enumerator no greater than `last`.
  template <typename E>
  E enumerator(E last) {
    const auto v = num<int>();
    if (v < 0 || v > static_cast<int>(last)) fail("an enumerator in range");
    return static_cast<E>(v);
  }
  std::string_view view() {
    std::size_t n = 0;
    const auto r = std::from_chars(in_.data() + at_, in_.data() + in_.size(), n);
    if (r.ec != std::errc{} || r.ptr == in_.data() + in_.size() || *r.ptr != ':') fail("a string");
    const std::size_t from = static_cast<std::size_t>(r.ptr - in_.data()) + 1;
    if (n > in_.size() - from || in_.size() - from - n < 1 || in_[from + n] != ' ') fail("a whole string");
    at_ = from + n + 1;
    return in_.substr(from, n);
  }
  std::string str() { return std::string(view()); }
  // A count of items that take at least `min_bytes` each: never more than the bytes left,
  // so that a damaged count cannot make the reader reserve or loop without end.
  std::size_t count(std::size_t min_bytes = 2) {
    const auto n = num<std::size_t>();
    if (n > (in_.size() - at_) / min_bytes) fail("a count within the bytes left");
    return n;
  }
  bool done() const { return at_ == in_.size(); }

 private:
  [[noreturn]] void fail(const char* what) const {
    throw std::invalid_argument("expected " + std::string(what) + " at byte " + std::to_string(at_));
  }
  std::string_view in_;
  std::size_t at_ = 0;
};

}  // namespace arbor::app::wire
