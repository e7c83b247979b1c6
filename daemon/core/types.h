// Values that cross the supervision core's boundary: time, exits, states, events,
// operation results and outcomes. No behaviour lives here.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/core/error_code.h"
#include <array>

namespace arbor::core {

// Monotonic milliseconds. The core never reads a clock: every input carries `now`.
using Millis = std::int64_t;

// Identifies one spawn attempt of a worker; results of older attempts are ignored.
using SpawnToken = std::uint64_t;
using TimerToken = std::uint64_t;

// How a process ended (waitid): an exit code, or the signal that killed it.
struct ExitStatus {
  bool signaled = false;
  bool oom = false;  // the kernel's OOM killer killed it (SPEC §7: its cgroup's memory.events)
  int value = 0;     // after the two flags: 8 bytes, not 12 (every kept event holds one)
  bool operator==(const ExitStatus&) const = default;
  static ExitStatus code(int c) { return {false, false, c}; }
  static ExitStatus signal(int s) { return {true, false, s}; }
};

// OTP's exit reasons mapped onto processes (docs/SEMANTICS.md).
enum class ExitReason { normal, shutdown, abnormal };

// The states of docs/PROTOCOL.md `status`.
enum class ChildState { stopped, starting, running, stopping, restarting };

enum class EventType {
  started,
  exited,
  start_failed,
  restarting,
  gave_up,
  added,
  removed,
  reloaded,
  log_dropped,
  unhealthy,
  command  // an operator's command (stop, start, restart, remove, add, signal, reload)
};

// A worker's liveness as status shows it (docs/CONFIG.md "health"): before its first passed
// probe, after one, and once stopped for failing (or for its watchdog).
enum class HealthState { starting, healthy, unhealthy };

struct Event {
  EventType type = EventType::started;
  std::string path;
  std::optional<int> pid;                  // started, exited
  std::optional<ExitStatus> exit;          // exited
  ExitReason reason = ExitReason::normal;  // exited
  std::string error;                       // start_failed, unhealthy
  int failures = 0;                        // unhealthy: consecutive failed checks
  bool health = false;                     // exited: stopped for failing its health check
  bool watchdog = false;                   // exited: stopped by its watchdog
  Millis delay_ms = 0;                     // restarting
  std::uint64_t bytes = 0;                 // log_dropped
  // reloaded: entries per ReloadAction (add, remove, restart, update, unchanged)
  std::array<int, 5> plan_counts{};
  // The seq of the event that led to this one (docs/OBSERVABILITY.md), 0 for a root cause:
  // a process dying on its own, a failed probe, an operator command, boot or shutdown.
  // The core stamps it (Context::emit); the host numbers events (Host::emit's answer).
  std::uint64_t cause = 0;
  // restarting: the supervisor's strategy (config's spelling); command: its name (the
  // protocol's). Static strings, 8 bytes each: 10,000 events are kept.
  const char* strategy = nullptr;
  const char* command = nullptr;
  // command: the client's uid, if known.
  std::optional<std::uint32_t> uid;
};

// Who asked for an operator command: it becomes a `command` event, the root cause of what
// the command does. A null `command` emits nothing (the command's effects are then root
// causes themselves). `command` must be a static string.
struct Origin {
  const char* command = nullptr;
  std::optional<std::uint32_t> uid;
};

struct OpResult {
  bool ok = true;
  ErrorCode code = ErrorCode::bad_request;
  std::string message;
  std::string path;  // add: the new child's path

  static OpResult success(std::string path = {}) {
    return {true, ErrorCode::bad_request, {}, std::move(path)};
  }
  static OpResult failure(ErrorCode c, std::string msg) { return {false, c, std::move(msg), {}}; }
};

// Completion of an asynchronous operation (start, stop, add...). Called exactly once.
using Reply = std::function<void(const OpResult&)>;

// How the whole tree ended; the daemon turns it into its exit status.
enum class OutcomeKind { booted, boot_failed, stopped, gave_up, auto_shutdown };
struct Outcome {
  OutcomeKind kind = OutcomeKind::booted;
  std::string path;   // boot_failed: the child that failed
  std::string error;  // boot_failed: why
  // auto_shutdown: how the significant child whose end shut the root down ended (nullopt
  // when it never ran, e.g. a supervisor that gave up; arbord then exits 0).
  std::optional<ExitStatus> exit;
};

std::string_view to_string(ExitReason);
std::string_view to_string(ChildState);
std::string_view to_string(EventType);
std::string_view to_string(HealthState);

}  // namespace arbor::core
