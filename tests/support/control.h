// Control: one connection to arbord's control socket (docs/PROTOCOL.md) with deadlines, built on
// arborctl's own client (ctl::Client): newline-delimited JSON requests, their replies and,
// after watch(), the event lines of `watch --json`. The socket is non-blocking: drain()
// reads whatever has arrived, so a caller can poll() several connections (and arbord's
// log) at once and never blocks past its deadline.
#pragma once

#include <chrono>
#include <deque>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "ctl/client.h"

namespace arbor::testing {

using namespace std::chrono_literals;

class Control {
 public:
  Control() = default;
  ~Control();
  Control(const Control&) = delete;
  Control& operator=(const Control&) = delete;

  // Connects. While the socket is absent it retries (bounded by `timeout`): code that has
  // awaited arbord's readiness (ArbordInstance::await_ready) connects at the first try.
  bool connect(const std::string& socket, std::chrono::milliseconds timeout = 10s);
  // Sends {"id","cmd","args"} and returns the reply with that id (the whole reply:
  // {"id","ok","result"} or {"id","ok":false,"error"}), or nullopt on timeout or EOF.
  std::optional<nlohmann::json> call(const std::string& cmd, nlohmann::json args = nlohmann::json::object(),
                                     std::chrono::milliseconds timeout = 10s);
  // The two halves of call(), for a caller that waits with its own poll(): send() returns
  // the request's id (0 when sending failed), take_reply() the reply once drained.
  int send(const std::string& cmd, nlohmann::json args = nlohmann::json::object());
  std::optional<nlohmann::json> take_reply(int id);
  // Sends `watch` and awaits its reply: from then on every event arbord emits arrives here
  // (take_event), in order.
  bool watch(std::chrono::milliseconds timeout = 10s);
  // Reads what has arrived, without blocking. False once the connection is at EOF.
  bool drain();
  // The oldest event line drained and not yet taken.
  std::optional<nlohmann::json> take_event();
  // Waiting (bounded) for the oldest line that is not an event: a reply of any id (the one
  // to a malformed request has none) or a stream line (`logs --follow`); and for the next
  // event. nullopt on timeout or at EOF.
  std::optional<nlohmann::json> next_reply(std::chrono::milliseconds timeout = 5s);
  std::optional<nlohmann::json> next_event(std::chrono::milliseconds timeout = 5s);
  // Sends `text` as it is, for the protocol's abuse tests (garbage, a partial or oversize
  // line, pipelined requests). False once arbord has closed the connection, or when it
  // takes nothing more within `timeout`.
  bool send_raw(const std::string& text, std::chrono::milliseconds timeout = 5s);
  bool at_eof() const { return eof_; }

  void close();
  int fd() const { return client_ ? client_->fd() : -1; }

 private:
  // Waits (poll) until something can be read or `deadline` passes.
  bool wait_readable(std::chrono::steady_clock::time_point deadline);
  std::optional<nlohmann::json> next(std::deque<nlohmann::json>& lines, std::chrono::milliseconds timeout);

  std::unique_ptr<ctl::Client> client_;
  std::deque<nlohmann::json> replies_;
  std::deque<nlohmann::json> events_;
  bool eof_ = false;
  int next_id_ = 1;
};

}  // namespace arbor::testing
