// `logs PATH [-f] [-n N]`: a worker's captured output (docs/PROTOCOL.md). The reply carries the
// last lines; with follow, each new line comes after it as a Line.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "daemon/protocol/command.h"

namespace arbor::protocol::commands {

struct Logs {
  static constexpr CommandInfo info{"logs", 1, Access::observe};
  struct Request {
    std::string path;
    std::int64_t lines = 10;  // the last lines to send, 0 to 1000000
    bool follow = false;
    static Request from_json(const nlohmann::json& args);
    nlohmann::json to_json() const;
  };
  // {"file": where the output is read from, "lines", "path"}
  struct Result {
    std::string path;
    std::string file;
    std::vector<std::string> lines;
    static Result from_json(const nlohmann::json& j);
    nlohmann::json to_json() const;
  };
  // {"line", "path"}: one line of output, streamed after the reply with follow (and
  // what arborctl --json prints for each line of the backlog too).
  struct Line {
    std::string path;
    std::string line;
    static Line from_json(const nlohmann::json& j);
    nlohmann::json to_json() const { return nlohmann::json{{"path", path}, {"line", line}}; }
  };
};

}  // namespace arbor::protocol::commands
