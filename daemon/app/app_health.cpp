// The App's half of health: core::Host's probes on the host::Prober, and the routing of exec
// probes' process callbacks (their runner tokens have Prober::kTokenBit) away from the tree.
#include "daemon/app/app.h"

namespace arbor::app {

void App::probe(core::SpawnToken token, std::uint64_t seq, const config::Probe& probe,
                const config::WorkerSpec& spec) {
  prober_->run(token, probe, spec, [this, token, seq](bool passed, const std::string& error) {
    tree_->on_probe_result(token, seq, passed, error, now());
  });
}

void App::cancel_probe(core::SpawnToken token) { prober_->cancel(token); }

host::RunnerCallbacks App::route_probes(host::RunnerCallbacks callbacks) {
  using host::Prober;
  auto spawned = std::move(callbacks.spawned);
  callbacks.spawned = [spawned = std::move(spawned)](std::uint64_t token, int pid) {
    if (!Prober::owns(token)) spawned(token, pid);
  };
  auto failed = std::move(callbacks.start_failed);
  callbacks.start_failed = [this, failed = std::move(failed)](std::uint64_t token, std::string error) {
    if (Prober::owns(token)) return prober_->start_failed(token, error);
    failed(token, std::move(error));
  };
  auto exited = std::move(callbacks.exited);
  callbacks.exited = [this, exited = std::move(exited)](std::uint64_t token, host::WaitStatus status) {
    if (Prober::owns(token)) return prober_->exited(token, status);
    exited(token, status);
  };
  return callbacks;
}

}  // namespace arbor::app
