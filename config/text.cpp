// How locations and values appear in diagnostics. Messages end up in terminals and in
// JSON replies (reload errors), so they must be single-line, short and valid UTF-8.
#include <fmt/format.h>

#include "config/internal.h"

namespace arbor::config {

std::string to_string(const Diagnostic& d) {
  return d.pointer.empty() ? d.message : d.pointer + ": " + d.message;
}

std::string to_string(const Diagnostic& d, std::string_view file) {
  return d.pointer.empty() ? fmt::format("{}: {}", detail::sanitize_utf8(file), d.message) : to_string(d);
}

namespace detail {
namespace {

constexpr std::size_t kMaxShownString = 40;
constexpr std::size_t kMaxShownKey = 64;

// Length of the valid UTF-8 sequence at s[i], or 0 if the byte there starts none.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  std::size_t len = 0;
  std::uint32_t min = 0;
  if (b < 0x80) return 1;
  if ((b & 0xE0) == 0xC0)
    len = 2, min = 0x80;
  else if ((b & 0xF0) == 0xE0)
    len = 3, min = 0x800;
  else if ((b & 0xF8) == 0xF0)
    len = 4, min = 0x10000;
  else
    return 0;
  if (i + len > s.size()) return 0;
  std::uint32_t cp = b & (0xFF >> (len + 1));
  for (std::size_t k = 1; k < len; ++k) {
    const auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (c & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

}  // namespace

std::string sanitize_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = utf8_sequence(s, i);
    if (n == 0) {
      out += fmt::format("\\x{:02X}", static_cast<unsigned char>(s[i]));
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string truncate_utf8(std::string_view s, std::size_t max_bytes) {
  if (s.size() <= max_bytes) return std::string(s);
  std::size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return std::string(s.substr(0, end));
}

std::string join(const std::string& pointer, std::string_view key) {
  // RFC 6901 escapes, plus visible escapes for control characters so that a
  // diagnostic stays on one line.
  std::string token;
  for (const char c : truncate_utf8(key, kMaxShownKey)) {
    if (c == '~')
      token += "~0";
    else if (c == '/')
      token += "~1";
    else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
      token += fmt::format("\\u{:04X}", static_cast<int>(c));
    else
      token += c;
  }
  if (key.size() > kMaxShownKey) token += "...";
  return pointer + "/" + sanitize_utf8(token);
}

std::string join(const std::string& pointer, std::size_t index) {
  return pointer + "/" + std::to_string(index);
}

std::string quote(std::string_view s) {
  std::string shown = sanitize_utf8(truncate_utf8(s, kMaxShownString));
  std::string out = Json(shown).dump(-1, ' ', false, Json::error_handler_t::replace);
  if (s.size() > kMaxShownString) out += fmt::format("... ({} bytes)", s.size());
  return out;
}

std::string describe(const Json& v) {
  switch (v.type()) {
    case Json::value_t::string:
      return quote(v.get_ref<const std::string&>());
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
    case Json::value_t::boolean:
    case Json::value_t::null:
      return v.dump();
    case Json::value_t::object:
      return v.empty() ? "{}" : "an object";
    case Json::value_t::array:
      return v.empty() ? "[]" : "an array";
    case Json::value_t::binary:
    case Json::value_t::discarded:
      break;
  }
  return "an unsupported value";
}

}  // namespace detail
}  // namespace arbor::config
