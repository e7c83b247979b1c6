// Job: what a supervisor is busy with — an ordered list of stops, then starts (the common
// part, run by the job engine in supervisor_job.cpp), and what the job is for, one struct
// per kind, so that each field means one thing.
#pragma once

#include <deque>
#include <functional>
#include <optional>
#include <unordered_set>
#include <variant>

#include "daemon/core/node.h"

namespace arbor::core {

// The supervisor's own start: every child in order (OTP's init).
struct StartAll {
  std::optional<Failure> failure;  // set when a child failed: the start is being undone
};

// The supervisor's stop (by its parent, or because it gave up or shut down): every child.
struct StopAll {};

// An automatic restart of a child and its group; every start counts as a restart.
struct Restart {
  Millis delay = 0;  // group backoff: the group waits this long between the stops and the starts
};

// An operator command (docs/ARBORCTL.md), answered once the job is done.
struct Command {
  enum class Op { start, stop, restart, add };
  Op op = Op::start;
  Reply reply;
  OpResult result = OpResult::success();  // the answer so far
};

// reload: the stops, then `after_stops` swaps specs and queues the starts; `on_done` at the end.
struct Reload {
  std::function<void()> after_stops;
  std::function<void()> on_done;
};

using JobPurpose = std::variant<StartAll, StopAll, Restart, Command, Reload>;

struct Job {
  JobPurpose purpose;
  std::deque<NodeId> to_stop;           // in stop order
  bool concurrent_stop = false;         // stop all at once (dynamic supervisor), not one by one
  std::unordered_set<NodeId> stopping;  // stops sent and not yet answered
  std::deque<NodeId> to_start;          // in start order
  NodeId starting = 0;                  // the start sent and not yet answered
  std::uint64_t cause = 0;              // the event behind the job: its stops and starts point at it
};

// std::visit with one lambda per kind: a kind left out does not build.
template <typename... F>
struct Overloaded : F... {
  using F::operator()...;
};
// Clang 14 (the fuzz build) has no deduction for aggregates yet: say it.
template <typename... F>
Overloaded(F...) -> Overloaded<F...>;

}  // namespace arbor::core
