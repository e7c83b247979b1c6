#include "daemon/core/check.h"

#include <algorithm>

#include "daemon/core/supervisor.h"
#include "daemon/core/worker.h"

namespace arbor::core {
namespace {

// Ended on its own with an exit its spec calls success (OTP's reason `normal`).
bool ended_normally(const Worker& worker) {
  const auto& exit = worker.last_exit();
  if (!exit || exit->signaled) return false;
  return worker.spec().worker.success_exit_codes.contains(exit->value);
}

void check_worker(const Worker& worker, CheckReport& report) {
  const ChildState state = worker.state();
  if (state == ChildState::running) {
    ++report.expected;
    report.running.push_back(&worker);
    return;
  }
  if (state == ChildState::stopped) {
    if (worker.operator_stopped) return;
    if (worker.spec().restart != config::RestartType::permanent && ended_normally(worker)) return;
  }
  ++report.expected;
  const auto& exit = worker.last_exit();
  report.problems.push_back({worker.path(), state, exit ? "last exit: " + describe(*exit) : ""});
}

void check_node(const Node& node, CheckReport& report) {
  if (node.is_worker()) return check_worker(static_cast<const Worker&>(node), report);
  const auto& sup = static_cast<const Supervisor&>(node);
  if (sup.state() == ChildState::stopped) {
    if (sup.operator_stopped) return;
    if (sup.gave_up()) {
      report.problems.push_back({sup.path(), sup.state(), "gave up (restart intensity reached)"});
      return;
    }
    // Neither stopped by an operator nor given up: it ended on its own by auto_shutdown (a
    // permanent one would be starting again, not stopped).
    return;
  }
  for (const auto& child : sup.children()) check_node(*child, report);
}

}  // namespace

CheckReport check(const Node& node) {
  CheckReport report;
  // Below a supervisor an operator stopped, nothing should run.
  for (const Node* up = &node; up != nullptr; up = up->parent()) {
    if (up->operator_stopped) return report;
  }
  check_node(node, report);
  return report;
}

}  // namespace arbor::core
