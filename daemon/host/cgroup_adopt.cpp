// CgroupTree::adopt: the new program of a reexec takes over the instance the old one made
// (same pid, so arbord is still in its "daemon" leaf and every worker in its cgroup). The
// instance's path comes from the reexec state: create() treats an existing name as
// somebody else's, so adoption never guesses it.
#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "daemon/host/cgroup_parse.h"
#include "daemon/host/cgroup_tree.h"

namespace arbor::host {

namespace {

constexpr const char* kControllers[] = {"cpu", "memory", "pids"};

// The cgroups below `dir` ("c-" + id each), as node paths below `path`.
using IsWorker = std::function<bool(const std::string&)>;
void scan(const std::string& dir, const std::string& path, const IsWorker& is_worker,
          std::vector<std::pair<std::string, int>>& out) {
  const std::size_t at = out.size();
  out.emplace_back(path, 0);
  if (is_worker && is_worker(path)) return;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return;
  std::vector<std::string> names;
  while (dirent* e = readdir(d)) {
    if (e->d_type == DT_DIR && std::strncmp(e->d_name, "c-", 2) == 0) names.emplace_back(e->d_name);
  }
  closedir(d);
  out[at].second = static_cast<int>(names.size());
  for (const auto& name : names) {
    const std::string id = name.substr(2);
    scan(dir + "/" + name, path == "/" ? id : path + "/" + id, is_worker, out);
  }
}

}  // namespace

std::unique_ptr<CgroupTree> CgroupTree::adopt(Sys& sys, LimitsOf limits_of, const std::string& instance,
                                              std::string& reason, const IsWorker& is_worker) {
  const auto mountinfo = read_small_file(sys, "/proc/self/mountinfo");
  const auto mount = mountinfo ? cgroup2_mount(*mountinfo) : std::nullopt;
  const std::string prefix = mount && *mount != "/" ? *mount : "";
  const std::size_t slash = instance.rfind('/');
  if (!mount || !instance.starts_with(prefix + "/") || slash == std::string::npos ||
      instance.compare(slash + 1, 7, "arbord-") != 0) {
    reason = instance + " is not an arbord instance on the cgroup2 file system";
    return nullptr;
  }
  // Still ours: arbord is in its daemon leaf (a cgroup keeps its processes across exec).
  const std::string rel = instance.substr(prefix.size());
  const auto own_text = read_small_file(sys, "/proc/self/cgroup");
  const auto own = own_text ? own_cgroup(*own_text) : std::nullopt;
  if (!own || *own != rel + "/daemon") {
    reason = fmt::format("arbord is in {}, not in {}/daemon", own ? *own : "an unknown cgroup", rel);
    return nullptr;
  }
  std::unique_ptr<CgroupTree> t(new CgroupTree(sys, std::move(limits_of)));
  t->mount_ = prefix;
  t->start_ = instance.substr(0, slash);
  t->instance_ = instance;
  t->tree_rel_ = rel + "/tree";
  struct stat st {};
  t->has_kill_ = sys.stat((instance + "/daemon/cgroup.kill").c_str(), &st) == 0;
  if (const auto enabled = read_small_file(sys, instance + "/cgroup.subtree_control")) {
    const auto names = parse_controllers(*enabled);
    for (const char* c : kControllers)
      if (std::find(names.begin(), names.end(), c) != names.end()) t->controllers_.emplace_back(c);
  }
  // Every node's cgroup as made. The limits last written are not known: the next start
  // below a node writes its limits again (the same values, unless a reload changed them).
  std::vector<std::pair<std::string, int>> nodes;
  scan(instance + "/tree", "/", is_worker, nodes);
  for (const auto& [path, children] : nodes) t->made_[path].children = static_cast<std::size_t>(children);
  t->open_tree_dir();
  return t;
}

}  // namespace arbor::host
