// scan_integer: reads one decimal integer from the front of `text` as scanf's %lld and
// %llu (and strtol) read it, but with std::from_chars: blanks skipped, one optional sign,
// then digits; a value out of range is clamped to the type's limit, as glibc does, and
// a '-' before an unsigned number wraps it, as strtoull does. On success the number is
// removed from `text`; with no digits, false and `text` is left alone.
#pragma once

#include <cctype>
#include <charconv>
#include <limits>
#include <string_view>
#include <system_error>
#include <type_traits>

namespace arbor::host {

template <typename T>
bool scan_integer(std::string_view& text, T& out) {
  static_assert(std::is_integral_v<T>);
  using U = std::make_unsigned_t<T>;
  std::size_t i = 0;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])) != 0) ++i;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  if (i == text.size() || text[i] < '0' || text[i] > '9') return false;
  U magnitude = 0;
  const auto [next, ec] = std::from_chars(text.data() + i, text.data() + text.size(), magnitude);
  const bool overflow = ec == std::errc::result_out_of_range;
  if constexpr (std::is_signed_v<T>) {
    constexpr U kMax = static_cast<U>(std::numeric_limits<T>::max());
    if (negative) {
      out = overflow || magnitude > kMax ? std::numeric_limits<T>::min()
                                         : static_cast<T>(-static_cast<T>(magnitude));
    } else {
      out = overflow || magnitude > kMax ? std::numeric_limits<T>::max() : static_cast<T>(magnitude);
    }
  } else {
    out = overflow ? std::numeric_limits<T>::max() : negative ? static_cast<T>(U{0} - magnitude) : magnitude;
  }
  text.remove_prefix(static_cast<std::size_t>(next - text.data()));
  return true;
}

}  // namespace arbor::host
