#include "daemon/core/status.h"

#include "daemon/core/supervisor.h"
#include "daemon/core/worker.h"

namespace arbor::core {

StatusNode status_of(const Node& node) {
  StatusNode out;
  out.path = node.path();
  out.id = node.path() == "/" ? "/" : node.spec().id;
  out.type = node.spec().type;
  out.state = node.state();
  out.restarts = node.restarts;
  out.totals = node.totals;
  out.operator_stopped = node.operator_stopped;
  if (node.state() == ChildState::restarting) out.next_restart_at = node.next_restart_at();
  if (node.is_worker()) {
    const auto& w = static_cast<const Worker&>(node);
    out.pid = w.pid();
    if (w.pid()) out.started_at = w.started_at();
    out.last_exit = w.last_exit();
    out.status_text = w.status_text();
    out.health = w.health();
    out.health_failures = w.health_failures();
  } else {
    for (const auto& child : static_cast<const Supervisor&>(node).children()) {
      out.children.push_back(status_of(*child));
    }
  }
  return out;
}

}  // namespace arbor::core
