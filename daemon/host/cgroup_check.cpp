#include "daemon/host/cgroup_check.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "daemon/host/cgroup_parse.h"
#include "daemon/host/cgroup_tree.h"

namespace arbor::host {
namespace {

void check(const config::ChildSpec& c, const std::string& ptr, const OfferedControllers& offered,
           std::vector<config::Diagnostic>& out) {
  const auto need = [&](const std::optional<std::int64_t>& limit, const char* key, const char* controller) {
    if (!limit) return;
    if (std::find(offered.names.begin(), offered.names.end(), controller) != offered.names.end()) return;
    const std::string why = offered.found ? fmt::format("{} offers only [{}] in cgroup.controllers",
                                                        offered.cgroup, fmt::join(offered.names, " "))
                                          : std::string("no cgroup v2 is usable");
    out.push_back({ptr + "/limits/" + key,
                   fmt::format("needs the {} controller, which arbord cannot use ({}; under systemd: "
                               "Delegate=yes)",
                               controller, why)});
  };
  need(c.limits->memory_max, "memory_max", "memory");
  need(c.limits->memory_high, "memory_high", "memory");
  need(c.limits->pids_max, "pids_max", "pids");
  need(c.limits->cpu_weight, "cpu_weight", "cpu");
  need(c.limits->cpu_max_percent, "cpu_max_percent", "cpu");
  if (c.is_worker()) return;
  for (std::size_t i = 0; i < c.supervisor->children.size(); ++i) {
    check(c.supervisor->children[i], fmt::format("{}/children/{}", ptr, i), offered, out);
  }
  if (c.supervisor->child_template) check(*c.supervisor->child_template, ptr + "/template", offered, out);
}

}  // namespace

OfferedControllers offered_controllers(Sys& sys) {
  OfferedControllers offered;
  const auto mountinfo = read_small_file(sys, "/proc/self/mountinfo");
  const auto mount = mountinfo ? cgroup2_mount(*mountinfo) : std::nullopt;
  const auto own_text = read_small_file(sys, "/proc/self/cgroup");
  const auto own = own_text ? own_cgroup(*own_text) : std::nullopt;
  if (!mount || !own) return offered;
  offered.cgroup = (*mount == "/" ? "" : *mount) + (*own == "/" ? "" : *own);
  if (offered.cgroup.empty()) offered.cgroup = "/";
  const auto text = read_small_file(sys, offered.cgroup + "/cgroup.controllers");
  if (!text) return offered;
  offered.found = true;
  offered.names = parse_controllers(*text);
  return offered;
}

std::vector<config::Diagnostic> unavailable_limits(const config::TreeSpec& tree,
                                                   const OfferedControllers& offered) {
  std::vector<config::Diagnostic> out;
  check(tree.root, "/root", offered, out);
  return out;
}

}  // namespace arbor::host
