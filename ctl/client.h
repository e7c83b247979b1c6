// Client: a blocking connection to arbord's control socket. arborctl sends one
// request per connection and reads the reply, then stream lines for watch and logs -f.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "daemon/protocol/line_reader.h"

namespace arbor::ctl {

class Client {
 public:
  Client() = default;
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Returns "" when connected, else the reason ("No such file or directory").
  std::string connect(const std::string& path);
  // Sends one request line. Returns "" or the reason it failed.
  std::string send(const nlohmann::json& request);
  // The next line from arbord, or nullopt at EOF (or on an error, in `error`).
  std::optional<std::string> read_line(std::string& error);
  // The socket, for a caller that waits on it with a deadline (poll); -1 when unconnected.
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  protocol::LineReader reader_{256 * 1024 * 1024};  // replies may be large (status of a big tree)
};

}  // namespace arbor::ctl
