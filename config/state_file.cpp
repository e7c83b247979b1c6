#include "config/state_file.h"

#include <fmt/format.h>

#include <unordered_set>

#include "config/internal.h"

namespace arbor::config {
namespace {

using detail::Json;

StateParse failed(std::string pointer, std::string message) {
  return StateParse{std::nullopt, Diagnostic{std::move(pointer), std::move(message)}};
}

StateParse parse_document(const Json& doc) {
  if (!doc.is_object()) return failed("", fmt::format("expected an object, found {}", detail::describe(doc)));
  const Json* version = nullptr;
  const Json* stopped = nullptr;
  std::unordered_set<std::string_view> seen;
  for (const auto& [key, value] : doc.get_ref<const Json::object_t&>()) {
    if (!seen.insert(key).second) return failed("", fmt::format("duplicate key {}", detail::quote(key)));
    if (key == "version") version = &value;
    if (key == "operator_stopped") stopped = &value;
  }
  if (version == nullptr) return failed("/version", "required");
  const bool positive =
      version->is_number_unsigned() || (version->is_number_integer() && version->get<std::int64_t>() >= 1);
  if (!positive || version->get<std::uint64_t>() == 0) {
    return failed("/version", fmt::format("expected an integer >= 1, found {}", detail::describe(*version)));
  }
  if (const auto v = version->get<std::uint64_t>(); v > static_cast<std::uint64_t>(kStateVersion)) {
    return failed("/version",
                  fmt::format("version {} is newer than this arbord understands ({}): written by a later "
                              "arbord",
                              v, kStateVersion));
  }
  if (stopped == nullptr) return failed("/operator_stopped", "required");
  if (!stopped->is_array()) {
    return failed("/operator_stopped",
                  fmt::format("expected an array of paths, found {}", detail::describe(*stopped)));
  }
  SavedState state;
  std::unordered_set<std::string> kept;
  for (std::size_t i = 0; i < stopped->size(); ++i) {
    const Json& path = (*stopped)[i];
    if (!path.is_string() || path.get_ref<const std::string&>().empty()) {
      return failed(detail::join("/operator_stopped", i),
                    fmt::format("expected a path (a non-empty string), found {}", detail::describe(path)));
    }
    if (kept.insert(path.get_ref<const std::string&>()).second) {
      state.operator_stopped.push_back(path.get_ref<const std::string&>());
    }
  }
  return StateParse{std::move(state), std::nullopt};
}

}  // namespace

StateParse parse_state(std::string_view text) {
  try {
    detail::ReadResult read = detail::read_json(text);
    if (!read.doc) return StateParse{std::nullopt, std::move(read.error)};
    return parse_document(*read.doc);
  } catch (const std::exception& e) {
    return failed("", fmt::format("internal error while reading the state: {}", e.what()));
  } catch (...) {
    return failed("", "internal error while reading the state");
  }
}

std::string state_text(const SavedState& state) {
  nlohmann::ordered_json doc = nlohmann::ordered_json::object();
  doc["version"] = kStateVersion;
  doc["operator_stopped"] = state.operator_stopped;
  // Paths are the tree's own (valid UTF-8 from the config); replace keeps dump() from throwing.
  return doc.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace arbor::config
