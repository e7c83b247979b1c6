// `watch`: an empty reply, then every event of the tree as a Line until the client
// hangs up (docs/PROTOCOL.md "Events").
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "daemon/protocol/command.h"

namespace arbor::protocol::commands {

// {"event","path","seq","time"} plus the fields of its type: started (pid), exited (pid,
// exit, reason), start_failed (error), restarting (delay_ms), log_dropped (bytes),
// reloaded (plan: entries per action), unhealthy (failures, error), exited also health or
// watchdog (true) after a failed health check or watchdog; gave_up, added, removed have none.
// Every event has "cause": the seq of the event that led to it, or null for a root cause
// (docs/OBSERVABILITY.md); restarting also names its supervisor's strategy; command (an
// operator's) has "command" and "uid" (null when not known, as for a SIGHUP reload).
struct Event {
  std::uint64_t seq = 0;
  std::string time;  // RFC 3339, UTC, microseconds
  std::string event;
  std::string path;
  std::optional<int> pid;
  std::optional<Exit> exit;  // exited: null when unknown
  std::optional<std::string> reason;
  std::optional<std::string> error;
  std::optional<std::int64_t> delay_ms;
  std::optional<std::uint64_t> bytes;
  std::optional<std::map<std::string, std::int64_t>> plan;
  std::optional<std::int64_t> failures;
  std::optional<bool> health;
  std::optional<bool> watchdog;
  std::optional<std::uint64_t> cause;  // null: a root cause
  std::optional<std::string> strategy;
  std::optional<std::string> command;
  std::optional<std::uint32_t> uid;

  static Event from_json(const nlohmann::json& j);
  nlohmann::json to_json() const;
};

// {"since": SEQ} (optional): first the kept events after SEQ, oldest first, then live
// ones, with no gap and no duplicate. A SEQ whose successors are no longer all kept, or one
// past the newest event, is refused (not_found), naming the range that is kept.
struct Watch {
  static constexpr CommandInfo info{"watch", 1, Access::observe};
  struct Request {
    std::optional<std::uint64_t> since;
    static Request from_json(const nlohmann::json& args);
    nlohmann::json to_json() const;
  };
  using Result = Empty;
  using Line = Event;
};

}  // namespace arbor::protocol::commands
