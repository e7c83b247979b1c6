// `check [PATH]` (SPEC §12): the core says which workers should run and which do not
// (daemon/core/check.h); health is read here from each running worker's status.
#include <string>

#include "daemon/control/command.h"
#include "daemon/core/check.h"
#include "daemon/core/node.h"
#include "daemon/core/status.h"

namespace arbor::control {

void check(Context& context, cmd::Check::Request request, const Answer<cmd::Check>& reply) {
  const core::Node* node = context.daemon.tree().find(request.path);
  if (node == nullptr) return reply.fail(protocol::ErrorCode::not_found, "no child at " + request.path);
  const core::CheckReport report = core::check(*node);
  cmd::Check::Result result;
  result.checked = report.expected;
  for (const auto& p : report.problems) {
    result.problems.push_back({p.path, std::string(core::to_string(p.state)), p.reason});
  }
  for (const core::Node* worker : report.running) {
    // The worker's health as `status` shows it (SPEC §8); none without a health check.
    const auto health = core::status_of(*worker).health;
    if (health && *health != core::HealthState::healthy) {
      result.problems.push_back(
          {worker->path(), "running", "health " + std::string(core::to_string(*health))});
    }
  }
  result.ok = result.problems.empty();
  reply.ok(result);
}

}  // namespace arbor::control
