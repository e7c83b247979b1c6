// `metrics` (SPEC §11): the status tree, cgroup usage, the EventBus's counts and arbord's
// own process, gathered now and rendered by render_metrics (metrics_text.h). Nothing is
// polled between requests: a scrape costs one walk of the tree.
#include <algorithm>
#include <chrono>

#include "daemon/control/command.h"
#include "daemon/control/metrics_text.h"

namespace arbor::control {

namespace {

// The cgroup accounting of every worker that has some (none with cgroups off). Top-down:
// a supervisor's cpu.stat is read before its children's, and an idle subtree's are not
// read again (CgroupTree::cpu_usage). Supervisors' figures are not exported: their sum
// over `path` would count every worker twice.
void add_usage(Daemon& daemon, const core::StatusNode& node, bool parent_unchanged, MetricsInput& input) {
  CgroupUsage usage = daemon.cgroup_usage(node.path, parent_unchanged);
  if (node.type == config::ChildType::worker) {
    if (usage.memory_bytes || usage.cpu_usec) input.usage.emplace(node.path, std::move(usage));
    return;
  }
  for (const core::StatusNode& child : node.children) add_usage(daemon, child, usage.cpu_unchanged, input);
}

}  // namespace

std::string collect_metrics(Daemon& daemon) {
  const std::optional<core::StatusNode> root = daemon.tree().status("/");
  MetricsInput input;
  input.root = root ? &*root : nullptr;
  input.monotonic_now = daemon.now();
  using namespace std::chrono;
  input.wall_now_seconds =
      static_cast<double>(duration_cast<microseconds>(system_clock::now().time_since_epoch()).count()) / 1e6;
  if (root) add_usage(daemon, *root, false, input);
  const events::EventBus::Counts& counts = daemon.events().counts();
  for (std::size_t i = 0; i < counts.size(); ++i) {
    // Only types seen at least once have a sample, as before the counts were an array.
    if (counts[i] != 0)
      input.events.emplace_back(core::to_string(static_cast<core::EventType>(i)), counts[i]);
  }
  std::sort(input.events.begin(), input.events.end());
  input.process = daemon.process_stats();
  return render_metrics(input);
}

void metrics(Context& context, cmd::Metrics::Request, const Answer<cmd::Metrics>& reply) {
  reply.ok(cmd::Metrics::Result{collect_metrics(context.daemon)});
}

}  // namespace arbor::control
