#include "daemon/protocol/commands/metrics.h"

#include "daemon/protocol/json_text.h"

namespace arbor::protocol::commands {

void Metrics::Result::append_json(std::string& out) const {
  out.reserve(out.size() + text.size() + text.size() / 16 + 16);
  out += "{\"text\":";
  append_json_string(out, text);
  out += '}';
}

std::optional<Metrics::Result> Metrics::Result::from_reply_line(std::string_view line) {
  // encode_reply_ok's bytes: the id (a number or a string without escapes), then the rest.
  constexpr std::string_view head = "{\"id\":";
  constexpr std::string_view middle = ",\"ok\":true,\"result\":{\"text\":";
  if (!line.starts_with(head)) return std::nullopt;
  line.remove_prefix(head.size());
  const std::size_t id_end = line.find(',');
  if (id_end == std::string_view::npos || line.substr(0, id_end).find('\\') != std::string_view::npos)
    return std::nullopt;
  line.remove_prefix(id_end);
  if (!line.starts_with(middle)) return std::nullopt;
  line.remove_prefix(middle.size());
  auto text = read_json_string(line);
  if (!text || line != "}}") return std::nullopt;
  return Result{std::move(*text)};
}

}  // namespace arbor::protocol::commands
