// `check [PATH]` (SPEC §12): the core says which workers should run and which do not
// (daemon/core/check.h); health is read here from each running worker's status.
#include <optional>
#include <string>

#include "daemon/control/command.h"
#include "daemon/control/render.h"
#include "daemon/core/check.h"
#include "daemon/core/node.h"

namespace arbor::control {

namespace {

// The worker's "health" as `status` shows it (SPEC §8): "starting", "healthy", "unhealthy",
// or nullopt when it has no health check (the field absent or null).
std::optional<std::string> health_of(const core::Node& worker, Daemon& daemon) {
  const nlohmann::json status =
      to_wire(core::status_of(worker), [&daemon](core::Millis t) { return daemon.wall_time(t); }).to_json();
  const auto it = status.find("health");
  if (it == status.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

}  // namespace

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
    if (const auto health = health_of(*worker, context.daemon); health && *health != "healthy") {
      result.problems.push_back({worker->path(), "running", "health " + *health});
    }
  }
  result.ok = result.problems.empty();
  reply.ok(result);
}

}  // namespace arbor::control
