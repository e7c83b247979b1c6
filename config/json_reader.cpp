// Text -> ordered DOM. nlohmann's own parser would silently keep only the last of two
// equal keys and recurse without bound when the DOM is used; this SAX builder keeps
// every member (so duplicates can be reported where they are) and stops at kMaxDepth.
#include <fmt/format.h>

#include "config/internal.h"

namespace arbor::config::detail {
namespace {

class Builder : public nlohmann::json_sax<Json> {
 public:
  bool null() override { return add(Json(nullptr)); }
  bool boolean(bool v) override { return add(Json(v)); }
  bool number_integer(number_integer_t v) override { return add(Json(v)); }
  bool number_unsigned(number_unsigned_t v) override { return add(Json(v)); }
  bool number_float(number_float_t v, const string_t&) override { return add(Json(v)); }
  bool string(string_t& v) override { return add(Json(std::move(v))); }
  bool binary(binary_t&) override { return false; }  // not produced by the JSON reader
  bool start_object(std::size_t) override { return open(Json::object()); }
  bool start_array(std::size_t) override { return open(Json::array()); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }
  bool key(string_t& k) override {
    key_ = std::move(k);
    return true;
  }
  bool parse_error(std::size_t position, const std::string& token,
                   const nlohmann::detail::exception& ex) override {
    // A number overflow is noticed after the whole number was read: point at its start.
    constexpr int kNumberOverflow = 406;
    error_position =
        ex.id == kNumberOverflow && position > token.size() ? position - token.size() + 1 : position;
    error_text = ex.what();
    return false;
  }

  Json root;
  bool too_deep = false;
  std::size_t error_position = 0;
  std::string error_text;

 private:
  // Returns where v was stored; containers on stack_ are never moved while open since
  // only the innermost one grows.
  Json* put(Json v) {
    if (stack_.empty()) {
      root = std::move(v);
      return &root;
    }
    Json& top = *stack_.back();
    if (top.is_array()) {
      top.get_ref<Json::array_t&>().push_back(std::move(v));
      return &top.get_ref<Json::array_t&>().back();
    }
    // The underlying vector, not ordered_map::emplace, so that a repeated key is kept.
    auto& members = static_cast<Json::object_t::Container&>(top.get_ref<Json::object_t&>());
    members.emplace_back(std::move(key_), std::move(v));
    return &members.back().second;
  }
  bool add(Json v) {
    put(std::move(v));
    return true;
  }
  bool open(Json v) {
    if (stack_.size() >= static_cast<std::size_t>(kMaxDepth)) {
      too_deep = true;
      return false;
    }
    stack_.push_back(put(std::move(v)));
    return true;
  }
  bool close() {
    stack_.pop_back();
    return true;
  }

  std::vector<Json*> stack_;
  std::string key_;
};

struct LineColumn {
  std::size_t line = 1;
  std::size_t column = 1;  // in characters, as an editor counts
};

LineColumn locate(std::string_view text, std::size_t offset) {
  LineColumn lc;
  offset = std::min(offset, text.size());
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++lc.line;
      lc.column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++lc.column;
    }
  }
  return lc;
}

// Where nesting first passes kMaxDepth; the SAX interface does not tell positions.
std::size_t deep_offset(std::string_view text) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '/' && i + 1 < text.size() && (text[i + 1] == '/' || text[i + 1] == '*')) {
      // Comments (allowed in the file) may hold brackets that are no nesting.
      const bool line = text[i + 1] == '/';
      const std::size_t end = line ? text.find('\n', i + 2) : text.find("*/", i + 2);
      if (end == std::string_view::npos) break;
      i = line ? end : end + 1;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxDepth) return i;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return text.size();
}

// "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error ..." ->
// "syntax error ...": the position is recomputed by locate().
std::string parse_error_detail(const std::string& what) {
  std::string_view s = what;
  if (s.starts_with("[json.exception.")) s.remove_prefix(std::min(s.size(), s.find("] ") + 2));
  if (s.starts_with("parse error")) {
    const std::size_t colon = s.find(": ");
    if (colon != std::string_view::npos) s.remove_prefix(colon + 2);
  }
  std::string out = sanitize_utf8(truncate_utf8(s, 200));
  if (s.size() > 200) out += "...";
  return out;
}

}  // namespace

ReadResult read_json(std::string_view text) {
  Builder builder;
  const bool ok = Json::sax_parse(text, &builder, nlohmann::detail::input_format_t::json, /*strict=*/true,
                                  /*ignore_comments=*/true);
  if (ok) return {std::move(builder.root), std::nullopt};
  if (builder.too_deep) {
    const LineColumn lc = locate(text, deep_offset(text));
    return {std::nullopt, Diagnostic{"", fmt::format("nesting deeper than {} levels at line {}, column {}",
                                                     kMaxDepth, lc.line, lc.column)}};
  }
  // position counts the characters read, the offending one included.
  const LineColumn lc = locate(text, builder.error_position == 0 ? 0 : builder.error_position - 1);
  return {std::nullopt, Diagnostic{"", fmt::format("parse error at line {}, column {}: {}", lc.line,
                                                   lc.column, parse_error_detail(builder.error_text))}};
}

std::optional<Json> to_ordered(const nlohmann::json& j, int depth) {
  if (depth > kMaxDepth && (j.is_object() || j.is_array())) return std::nullopt;
  if (j.is_object()) {
    Json out = Json::object();
    for (const auto& [k, v] : j.items()) {
      auto sub = to_ordered(v, depth + 1);
      if (!sub) return std::nullopt;
      out[k] = std::move(*sub);
    }
    return out;
  }
  if (j.is_array()) {
    Json out = Json::array();
    for (const auto& v : j) {
      auto sub = to_ordered(v, depth + 1);
      if (!sub) return std::nullopt;
      out.push_back(std::move(*sub));
    }
    return out;
  }
  switch (j.type()) {
    case nlohmann::json::value_t::string:
      return Json(j.get_ref<const std::string&>());
    case nlohmann::json::value_t::boolean:
      return Json(j.get<bool>());
    case nlohmann::json::value_t::number_integer:
      return Json(j.get<std::int64_t>());
    case nlohmann::json::value_t::number_unsigned:
      return Json(j.get<std::uint64_t>());
    case nlohmann::json::value_t::number_float:
      return Json(j.get<double>());
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::object:
    case nlohmann::json::value_t::array:
    case nlohmann::json::value_t::binary:
    case nlohmann::json::value_t::discarded:
      break;
  }
  return Json(nullptr);
}

}  // namespace arbor::config::detail
