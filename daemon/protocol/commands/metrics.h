// `metrics`: the tree and arbord itself in the Prometheus text exposition format 0.0.4
// (SPEC §11, docs/OBSERVABILITY.md "Metrics"). The same text is served at GET /metrics
// when `"metrics": {"listen": "HOST:PORT"}` is configured.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "daemon/protocol/command.h"

namespace arbor::protocol::commands {

struct Metrics {
  // Round 2's protocol.
  static constexpr CommandInfo info{"metrics", 2, Access::observe};
  using Request = NoArgs;
  // {"text"}: the exposition, one sample a line, ending in "\n".
  struct Result {
    std::string text;
    static Result from_json(const nlohmann::json& j) { return {get_string(j, "text")}; }
    nlohmann::json to_json() const { return nlohmann::json{{"text", text}}; }
    // Written directly: the text of 5,000 workers is a few MB, not worth a JSON document.
    void append_json(std::string& out) const;
    // The result read straight from a whole reply line as arbord writes it
    // ({"id":ID,"ok":true,"result":{"text":"..."}}), without a DOM: arborctl's fast path.
    // nullopt for any other line (an error, another shape): the caller parses it as JSON.
    static std::optional<Result> from_reply_line(std::string_view line);
  };
};

}  // namespace arbor::protocol::commands
