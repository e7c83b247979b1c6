// The worker's state × event table (described in worker.h): every pair decided here.
#include <array>

#include "daemon/core/worker.h"

namespace arbor::core {

namespace {

using Action = Worker::Action;
using Row = std::array<Action, kWorkerStates>;  // one event, every state
using Table = std::array<Row, kWorkerEvents>;

constexpr Table make_table() {
  using enum Worker::Action;
  // clang-format off
  return Table{{
      //                      stopped backoff spawning cancelling awaiting  failing running  stopping killing
      //                      unhealthy unhealthy_kill
      /* start */            {{spawn,  spawn,  ignore,  ignore,    ignore,   ignore, ignore,  ignore,  ignore,
                               ignore, ignore}},
      /* stop */             {{ack,    ack,    defer,   ignore,    term,     await,  term,    ignore,  ignore,
                               adopt,  adoptk}},
      /* park */             {{park,   park,   ignore,  ignore,    ignore,   ignore, ignore,  ignore,  ignore,
                               ignore, ignore}},
      /* unpark */           {{unpark, unpark, ignore,  ignore,    ignore,   ignore, ignore,  ignore,  ignore,
                               ignore, ignore}},
      /* spawned */          {{ignore, ignore, exec,    abort,     ignore,   ignore, ignore,  ignore,  ignore,
                               ignore, ignore}},
      /* spawn_failed */     {{ignore, ignore, failed,  halted,    ignore,   ignore, ignore,  ignore,  ignore,
                               ignore, ignore}},
      /* ready */            {{ignore, ignore, ignore,  ignore,    up,       ignore, ignore,  ignore,  ignore,
                               ignore, ignore}},
      /* ready_timeout */    {{ignore, ignore, ignore,  ignore,    unready,  ignore, ignore,  ignore,  ignore,
                               ignore, ignore}},
      /* exited */           {{ignore, ignore, failed,  gone,      failed,   failed, died,    gone,    gone,
                               sickx,  sickx}},
      /* kill_timeout */     {{ignore, ignore, ignore,  ignore,    ignore,   ignore, ignore,  kill,    ignore,
                               killx,  ignore}},
      /* signal */           {{ignore, ignore, ignore,  ignore,    pass,     pass,   pass,    pass,    pass,
                               pass,   pass}},
      /* probe_due */        {{ignore, ignore, ignore,  ignore,    tryready, ignore, check,   ignore,  ignore,
                               ignore, ignore}},
      /* probe_passed */     {{ignore, ignore, ignore,  ignore,    up,       ignore, healthy, ignore,  ignore,
                               ignore, ignore}},
      /* probe_failed */     {{ignore, ignore, ignore,  ignore,    retry,    ignore, sick,    ignore,  ignore,
                               ignore, ignore}},
      /* watchdog */         {{ignore, ignore, ignore,  ignore,    ignore,   ignore, pet,     ignore,  ignore,
                               ignore, ignore}},
      /* watchdog_trigger */ {{ignore, ignore, ignore,  ignore,    ignore,   ignore, trigger, ignore,  ignore,
                               ignore, ignore}},
      /* watchdog_timeout */ {{ignore, ignore, ignore,  ignore,    ignore,   ignore, bark,    ignore,  ignore,
                               ignore, ignore}},
  }};
  // clang-format on
}

constexpr Table kTable = make_table();

// A row written one cell short leaves `missing` in it: refused here, not at run time.
constexpr bool complete(const Table& table) {
  for (const Row& row : table) {
    for (Action a : row) {
      if (a == Action::missing) return false;
    }
  }
  return true;
}
static_assert(complete(kTable), "every (state, event) pair of the worker table needs an action");
// The one past the last state and event has no name: the sizes match the enums.
static_assert(to_string(static_cast<WorkerState>(kWorkerStates)).empty(), "kWorkerStates is stale");
static_assert(to_string(static_cast<WorkerEvent>(kWorkerEvents)).empty(), "kWorkerEvents is stale");
static_assert(!to_string(static_cast<WorkerState>(kWorkerStates - 1)).empty());
static_assert(!to_string(static_cast<WorkerEvent>(kWorkerEvents - 1)).empty());

}  // namespace

Worker::Action Worker::decide(WorkerState s, WorkerEvent e) {
  return kTable[static_cast<std::size_t>(e)][static_cast<std::size_t>(s)];
}

ChildState public_state(WorkerState s) {
  switch (s) {
    case WorkerState::stopped:
      return ChildState::stopped;
    case WorkerState::backoff:
      return ChildState::restarting;
    case WorkerState::spawning:
    case WorkerState::cancelling:  // still `starting` until the host answers the spawn
    case WorkerState::awaiting_ready:
    case WorkerState::failing:
      return ChildState::starting;
    case WorkerState::running:
      return ChildState::running;
    case WorkerState::stopping:
    case WorkerState::killing:
    case WorkerState::unhealthy:
    case WorkerState::unhealthy_kill:
      return ChildState::stopping;
  }
  return ChildState::stopped;
}

bool has_process(WorkerState s) {
  switch (s) {
    case WorkerState::stopped:
    case WorkerState::backoff:
    case WorkerState::spawning:
    case WorkerState::cancelling:
      return false;
    case WorkerState::awaiting_ready:
    case WorkerState::failing:
    case WorkerState::running:
    case WorkerState::stopping:
    case WorkerState::killing:
    case WorkerState::unhealthy:
    case WorkerState::unhealthy_kill:
      return true;
  }
  return false;
}

}  // namespace arbor::core
