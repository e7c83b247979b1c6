#include "daemon/protocol/json_text.h"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>

namespace arbor::protocol {

namespace {

// What each byte is to the writer: copied (0), escaped (1), or not ASCII (2: the text goes
// to nlohmann's dump, which checks UTF-8). One table lookup a byte: a scrape is 2.5 MB.
enum : unsigned char { kPlain = 0, kEscape = 1, kHigh = 2 };
constexpr auto kClass = [] {
  std::array<unsigned char, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = kEscape;
  t['"'] = kEscape;
  t['\\'] = kEscape;
  for (int c = 0x80; c < 0x100; ++c) t[c] = kHigh;
  return t;
}();

void append_escape(std::string& out, unsigned char c) {
  switch (c) {
    case '"':
      out += "\\\"";
      return;
    case '\\':
      out += "\\\\";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\t':
      out += "\\t";
      return;
    case '\r':
      out += "\\r";
      return;
    default: {
      static constexpr char kHex[] = "0123456789abcdef";
      const char u[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xf]};
      out.append(u, sizeof u);
    }
  }
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::uint32_t> read_hex4(std::string_view s, std::size_t at) {
  if (at + 4 > s.size()) return std::nullopt;
  std::uint32_t v = 0;
  for (std::size_t i = at; i < at + 4; ++i) {
    const int d = hex_digit(s[i]);
    if (d < 0) return std::nullopt;
    v = v * 16 + static_cast<std::uint32_t>(d);
  }
  return v;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  const std::size_t mark = out.size();
  out.reserve(out.size() + text.size() + text.size() / 16 + 2);
  out += '"';
  std::size_t run = 0;  // start of the bytes not yet copied
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    const unsigned char kind = kClass[c];
    if (kind == kPlain) continue;
    if (kind == kHigh) {
      out.resize(mark);
      out += nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      return;
    }
    out.append(text.data() + run, i - run);
    append_escape(out, c);
    run = i + 1;
  }
  out.append(text.data() + run, text.size() - run);
  out += '"';
}

std::optional<std::string> read_json_string(std::string_view& in) {
  std::size_t i = 0;
  while (i < in.size() && (in[i] == ' ' || in[i] == '\t')) ++i;
  if (i >= in.size() || in[i] != '"') return std::nullopt;
  ++i;
  std::string out;
  out.reserve(in.size());
  for (;;) {
    // Copy the run up to the next quote or backslash in one append; a raw control
    // character is no JSON.
    std::size_t stop = i;
    while (stop < in.size() && kClass[static_cast<unsigned char>(in[stop])] != kEscape) ++stop;
    if (stop == in.size() || static_cast<unsigned char>(in[stop]) < 0x20) return std::nullopt;
    out.append(in.data() + i, stop - i);
    i = stop + 1;
    if (in[stop] == '"') break;
    if (i >= in.size()) return std::nullopt;
    const char e = in[i++];
    switch (e) {
      case '"':
      case '\\':
      case '/':
        out += e;
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        auto cp = read_hex4(in, i);
        if (!cp) return std::nullopt;
        i += 4;
        if (*cp >= 0xd800 && *cp < 0xdc00) {  // a surrogate pair's first half
          if (i + 2 > in.size() || in[i] != '\\' || in[i + 1] != 'u') return std::nullopt;
          const auto low = read_hex4(in, i + 2);
          if (!low || *low < 0xdc00 || *low >= 0xe000) return std::nullopt;
          i += 6;
          *cp = 0x10000 + ((*cp - 0xd800) << 10) + (*low - 0xdc00);
        } else if (*cp >= 0xdc00 && *cp < 0xe000) {
          return std::nullopt;
        }
        append_utf8(out, *cp);
        break;
      }
      default:
        return std::nullopt;
    }
  }
  in.remove_prefix(i);
  return out;
}

}  // namespace arbor::protocol
