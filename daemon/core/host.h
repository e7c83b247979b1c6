// What the supervision core asks of the world. The daemon implements it on libuv and
// real processes; unit tests implement it with a fake that records every call.
//
// Rules for implementations: never call back into the core from inside these methods
// (results come later through SupervisorTree's on_* inputs).
#pragma once

#include <string>
#include <vector>

#include "config/tree_spec.h"
#include "daemon/core/types.h"

namespace arbor::core {

class Host {
 public:
  virtual ~Host() = default;

  // Start a worker process. Later: on_spawned then (ready) then on_exited, or on_spawn_failed.
  virtual void spawn(SpawnToken token, const std::string& path, const config::WorkerSpec& spec) = 0;
  // Signal the process group of the worker started as `token` (no-op if it is gone).
  virtual void signal(SpawnToken token, int signo) = 0;
  // Runs `probe` once against the worker started as `token` (an exec probe as that worker:
  // its user, cwd and env, from `spec`). Answer later with SupervisorTree::on_probe_result
  // (token, seq, ...). At most one probe per token is in flight; the core times it out.
  virtual void probe(SpawnToken token, std::uint64_t seq, const config::Probe& probe,
                     const config::WorkerSpec& spec) = 0;
  // Abandons the probe in flight for `token`, if any (an exec probe's process group is
  // killed and reaped). A result already on its way is ignored by its seq.
  virtual void cancel_probe(SpawnToken token) = 0;
  // Call SupervisorTree::on_timer(token) once the monotonic clock reaches `deadline`.
  virtual void arm_timer(TimerToken token, Millis deadline) = 0;
  virtual void cancel_timer(TimerToken token) = 0;
  // Publishes an event and answers the seq it got (> 0, increasing): the core stamps it as
  // the `cause` of the events that follow from this one.
  virtual std::uint64_t emit(const Event& event) = 0;
  // The tree booted, failed to boot, or ended (the root stopped, gave up or shut down).
  virtual void outcome(const Outcome& outcome) = 0;
  // The children the operator stopped changed (SupervisorTree::operator_stopped_paths): keep
  // the new set (the state file). Called before the reply of the command that changed it.
  virtual void save_operator_stops(const std::vector<std::string>& paths) = 0;
  // A number in [0, 1) for backoff jitter.
  virtual double random_unit() = 0;
};

}  // namespace arbor::core
