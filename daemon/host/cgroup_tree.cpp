#include "daemon/host/cgroup_tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <linux/magic.h>

#include <algorithm>
#include <utility>
#include <cstdlib>
#include <cerrno>
#include <chrono>
#include <cstring>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "daemon/host/cgroup_parse.h"

namespace arbor::host {
namespace {

constexpr const char* kControllers[] = {"cpu", "memory", "pids"};

std::string parent_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? "/" : path.substr(0, slash);
}

std::string why(const std::string& what, int err) { return fmt::format("{}: {}", what, std::strerror(err)); }

// Every cgroup directory below `dir`, deepest first (for rmdir), `dir` itself last.
void collect_dirs(const std::string& dir, std::vector<std::string>& out) {
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      if (e->d_type != DT_DIR || e->d_name[0] == '.') continue;
      collect_dirs(dir + "/" + e->d_name, out);
    }
    closedir(d);
  }
  out.push_back(dir);
}

// Empty instances of dead arbords beside ours (one SIGKILLed on a socket no arbord used
// again, so no record led to it): removed. Only an instance whose arbord-PID is no live
// process and that holds no process: a live arbord's holds that arbord itself.
void remove_stale_instances(Sys& sys, const std::string& start) {
  DIR* d = opendir(start.c_str());
  if (d == nullptr) return;
  std::vector<std::string> stale;
  while (dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    if (e->d_type != DT_DIR || !name.starts_with("arbord-")) continue;
    const long pid = std::strtol(name.c_str() + 7, nullptr, 10);
    if (pid <= 0 || ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    std::string dir = start;
    dir.append("/").append(name);
    const auto text = read_small_file(sys, dir + "/cgroup.events");
    const auto events = text ? parse_cgroup_events(*text) : std::nullopt;
    if (events && !events->populated) stale.push_back(std::move(dir));
  }
  closedir(d);
  for (const auto& instance : stale) {
    std::vector<std::string> dirs;
    collect_dirs(instance, dirs);
    for (const auto& dir : dirs) sys.rmdir(dir.c_str());
  }
}

}  // namespace

const config::Limits CgroupTree::kNoLimits{};

std::optional<std::string> read_open_file(Sys& sys, int fd, bool short_read_ends) {
  std::string text;
  char buf[4096];
  for (;;) {
    const ssize_t n = sys.read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      sys.close(fd);
      errno = err;
      return std::nullopt;
    }
    text.append(buf, static_cast<std::size_t>(n));
    if (n == 0 || (short_read_ends && static_cast<std::size_t>(n) < sizeof buf)) break;
  }
  sys.close(fd);
  return text;
}

std::optional<std::string> read_small_file(Sys& sys, const std::string& path) {
  const int fd = sys.open(path.c_str(), O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0) return std::nullopt;
  return read_open_file(sys, fd, false);
}

bool write_small_file(Sys& sys, const std::string& path, const std::string& text) {
  const int fd = sys.open(path.c_str(), O_WRONLY | O_CLOEXEC, 0);
  if (fd < 0) return false;
  const ssize_t n = sys.write(fd, text.data(), text.size());
  const int err = errno;
  sys.close(fd);
  errno = err;
  return n == static_cast<ssize_t>(text.size());
}

std::unique_ptr<CgroupTree> CgroupTree::create(Sys& sys, LimitsOf limits_of, std::string& reason) {
  const auto mountinfo = read_small_file(sys, "/proc/self/mountinfo");
  const auto mount = mountinfo ? cgroup2_mount(*mountinfo) : std::nullopt;
  if (!mount) {
    reason = "no cgroup2 file system is mounted (/proc/self/mountinfo)";
    return nullptr;
  }
  const auto own_text = read_small_file(sys, "/proc/self/cgroup");
  const auto own = own_text ? own_cgroup(*own_text) : std::nullopt;
  if (!own) {
    reason = "arbord's cgroup v2 is unknown (no \"0::\" line in /proc/self/cgroup)";
    return nullptr;
  }
  std::unique_ptr<CgroupTree> t(new CgroupTree(sys, std::move(limits_of)));
  t->mount_ = *mount == "/" ? "" : *mount;
  const std::string start_rel = *own == "/" ? "" : *own;
  t->start_ = t->mount_ + start_rel;
  remove_stale_instances(sys, t->start_);
  // An instance of our own, never shared: the pid alone is not unique (every arbord that is
  // PID 1 of a container is pid 1, and pids repeat across pid namespaces), so a name that
  // exists (mkdir is atomic: EEXIST) is somebody else's, live or dead, and the next is tried.
  std::string name;
  for (int n = 0;; ++n) {
    name = n == 0 ? fmt::format("arbord-{}", getpid()) : fmt::format("arbord-{}.{}", getpid(), n);
    t->instance_ = t->start_ + "/" + name;
    if (sys.mkdir(t->instance_.c_str(), 0755) == 0) break;
    if (errno != EEXIST || n == 1000) {
      reason = why("cannot create " + t->instance_, errno);
      return nullptr;
    }
  }
  t->tree_rel_ = start_rel + "/" + name + "/tree";
  const std::string daemon = t->instance_ + "/daemon";
  if ((sys.mkdir(daemon.c_str(), 0755) < 0 && errno != EEXIST) ||
      !write_small_file(sys, daemon + "/cgroup.procs", "0")) {
    reason = why("cannot move arbord into " + daemon, errno);
    sys.rmdir(daemon.c_str());
    sys.rmdir(t->instance_.c_str());
    return nullptr;
  }
  struct stat st {};
  if (sys.stat((daemon + "/cgroup.events").c_str(), &st) < 0) {
    reason = why("no cgroup.events in " + daemon + " (Linux >= 4.14 needed)", errno);
    t->close();
    return nullptr;
  }
  t->has_kill_ = sys.stat((daemon + "/cgroup.kill").c_str(), &st) == 0;
  // Controllers S offers, enabled for the instance (S now holds no process of ours).
  if (const auto offered = read_small_file(sys, t->start_ + "/cgroup.controllers")) {
    const auto names = parse_controllers(*offered);
    for (const char* c : kControllers) {
      if (std::find(names.begin(), names.end(), c) == names.end()) continue;
      if (write_small_file(sys, t->start_ + "/cgroup.subtree_control", std::string("+") + c)) {
        t->controllers_.emplace_back(c);
      } else {
        spdlog::debug("cgroups: cannot enable {} in {}: {}", c, t->start_, std::strerror(errno));
      }
    }
  }
  t->enable_controllers(t->instance_);
  std::string error;
  if (!t->make("/", error)) {
    reason = error;
    t->close();
    return nullptr;
  }
  t->open_tree_dir();
  return t;
}

CgroupTree::~CgroupTree() { close(); }

void CgroupTree::enable_controllers(const std::string& dir) {
  if (controllers_.empty()) return;
  std::string text;
  for (const auto& c : controllers_) text += (text.empty() ? "+" : " +") + c;
  if (!write_small_file(sys_, dir + "/cgroup.subtree_control", text)) {
    spdlog::warn("cgroups: cannot enable {} in {}: {}", text, dir, std::strerror(errno));
  }
}

std::string CgroupTree::relative(const std::string& path) const {
  if (path.empty() || path == "/") return tree_rel_;
  std::string out = tree_rel_;
  out.reserve(out.size() + path.size() + 8);
  std::size_t begin = 0;
  for (;;) {
    const std::size_t slash = path.find('/', begin);
    out += "/c-";
    out.append(path, begin, slash == std::string::npos ? std::string::npos : slash - begin);
    if (slash == std::string::npos) break;
    begin = slash + 1;
  }
  return out;
}

bool CgroupTree::make(const std::string& path, std::string& error) {
  const std::string dir = absolute(path);
  if (sys_.mkdir(dir.c_str(), 0755) < 0 && errno != EEXIST) {
    error = why("mkdir " + dir, errno);
    return false;
  }
  Made& made = made_[path];
  made.cpu_read = kNotRead;  // a new cgroup (renew() too) counts from 0
  const config::Limits* limits = limits_of_ ? limits_of_(path) : nullptr;
  if (limits != nullptr && !limits->empty()) {
    apply_limits(dir, {}, *limits);
    made.set(*limits);
  }
  return true;
}

void CgroupTree::refresh_limits(const std::string& path, Made& made) {
  const config::Limits* limits = limits_of_ ? limits_of_(path) : nullptr;
  const config::Limits& now = limits != nullptr ? *limits : kNoLimits;
  if (now == made.written()) return;
  apply_limits(absolute(path), made.written(), now);
  made.set(now);
}

std::optional<std::string> CgroupTree::ensure(const std::string& path, std::string& error) {
  if (made_.count(path) == 0) {
    // The first start below a supervisor: its cgroup first, with controllers enabled.
    std::vector<std::string> missing{path};
    for (std::string p = parent_of(path); made_.count(p) == 0; p = parent_of(p)) missing.push_back(p);
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
      if (!make(*it, error)) return std::nullopt;
      ++made_[parent_of(*it)].children;
      if (it + 1 != missing.rend()) enable_controllers(absolute(*it));
    }
  }
  // The restart path makes nothing; limits are rewritten only where they changed: a
  // reload's (a supervisor's is an update without a restart), or the root's, whose
  // cgroup is made before the tree exists.
  for (std::string p = path;; p = parent_of(p)) {
    refresh_limits(p, made_[p]);
    if (p == "/") break;
  }
  return absolute(path);
}

void CgroupTree::apply_limits(const std::string& dir, const config::Limits& was, const config::Limits& l) {
  using Value = std::optional<std::int64_t>;
  // A limit a reload took away goes back to the kernel's default.
  const auto put = [&](const char* file, const Value& old, const Value& now, const std::string& text) {
    if (old == now) return;
    if (!write_small_file(sys_, dir + "/" + file, text)) {
      spdlog::warn("cgroups: cannot write {} to {}/{}: {}", text, dir, file, std::strerror(errno));
    }
  };
  const auto n = [](const Value& v) { return v ? std::to_string(*v) : std::string("max"); };
  put("memory.max", was.memory_max, l.memory_max, n(l.memory_max));
  put("memory.high", was.memory_high, l.memory_high, n(l.memory_high));
  put("pids.max", was.pids_max, l.pids_max, n(l.pids_max));
  put("cpu.weight", was.cpu_weight, l.cpu_weight, l.cpu_weight ? n(l.cpu_weight) : "100");
  // cpu.max is "QUOTA PERIOD" in µs: N% of one core is N ms of every 100 ms.
  put("cpu.max", was.cpu_max_percent, l.cpu_max_percent,
      l.cpu_max_percent ? fmt::format("{} 100000", *l.cpu_max_percent * 1000) : "max 100000");
}

void CgroupTree::renew(const std::string& path) {
  auto it = made_.find(path);
  if (it == made_.end() || it->second.children != 0) return;
  const std::string dir = absolute(path);
  if (sys_.rmdir(dir.c_str()) < 0) {
    spdlog::warn("cgroups: cannot renew {}: {}", dir, std::strerror(errno));
    return;
  }
  it->second.limits.reset();
  std::string error;
  if (make(path, error)) return;
  spdlog::warn("cgroups: {}", error);
  made_.erase(path);  // the next spawn tries again
  if (auto parent = made_.find(parent_of(path)); parent != made_.end() && parent->second.children > 0) {
    --parent->second.children;
  }
}

void CgroupTree::remove(const std::string& path) {
  auto it = made_.find(path);
  if (it == made_.end()) return;
  std::vector<std::string> gone;
  if (it->second.children == 0) {
    gone.push_back(path);
  } else {
    const std::string prefix = path + "/";
    for (const auto& [p, made] : made_) {
      if (p == path || p.starts_with(prefix)) gone.push_back(p);
    }
    std::sort(gone.begin(), gone.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
  }
  for (const auto& p : gone) {
    if (sys_.rmdir(absolute(p).c_str()) < 0 && errno != ENOENT) {
      spdlog::warn("cgroups: cannot remove {}: {}", absolute(p), std::strerror(errno));
    }
    made_.erase(p);
  }
  if (auto parent = made_.find(parent_of(path)); parent != made_.end() && parent->second.children > 0) {
    --parent->second.children;
  }
}

bool CgroupTree::close() {
  if (closed_) return true;
  closed_ = true;
  if (tree_fd_ >= 0) sys_.close(std::exchange(tree_fd_, -1));
  std::vector<std::string> dirs;
  collect_dirs(instance_ + "/tree", dirs);
  for (const auto& d : dirs) {
    if (sys_.rmdir(d.c_str()) < 0 && errno != ENOENT) {
      spdlog::warn("cgroups: cannot remove {}: {}", d, std::strerror(errno));
    }
  }
  made_.clear();
  // Back to S, so that the leaf can go. S with controllers enabled and other children
  // refuses a process (EBUSY): then the leaf and the instance stay, for systemd to trim.
  if (!write_small_file(sys_, start_ + "/cgroup.procs", "0")) {
    spdlog::debug("cgroups: cannot move back to {}: {}; {} stays", start_, std::strerror(errno), instance_);
    return false;
  }
  sys_.rmdir((instance_ + "/daemon").c_str());
  return sys_.rmdir(instance_.c_str()) == 0;
}

int CgroupTree::clean_up(const std::string& instance, Sys& sys, int wait_ms) {
  return clean_up_below(instance, "", sys, wait_ms);
}

int CgroupTree::clean_up_tree(const std::string& instance, Sys& sys, int wait_ms) {
  return clean_up_below(instance, "/tree", sys, wait_ms);
}

int CgroupTree::clean_up_below(const std::string& instance_dir, const char* part, Sys& sys, int wait_ms) {
  // Only ever an arbord instance on a cgroup2 file system: a damaged record must not make
  // arbord kill or remove anything else.
  struct statfs fs {};
  const std::size_t slash = instance_dir.rfind('/');
  if (slash == std::string::npos || instance_dir.compare(slash + 1, 7, "arbord-") != 0 ||
      statfs(instance_dir.c_str(), &fs) < 0 || fs.f_type != CGROUP2_SUPER_MAGIC) {
    return 0;
  }
  const std::string instance = instance_dir + part;  // the instance, or its workers' part
  std::vector<std::string> dirs;
  collect_dirs(instance, dirs);
  int killed = 0;
  for (const auto& d : dirs) {
    if (const auto procs = read_small_file(sys, d + "/cgroup.procs")) {
      killed += static_cast<int>(parse_pids(*procs).size());
    }
  }
  const std::string events = instance + "/cgroup.events";
  const int in = sys.inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (in >= 0) sys.inotify_add_watch(in, events.c_str(), IN_MODIFY);
  if (!write_small_file(sys, instance + "/cgroup.kill", "1")) {
    // Before Linux 5.14: SIGKILL each process, again until none is left.
    for (const auto& d : dirs) {
      if (const auto procs = read_small_file(sys, d + "/cgroup.procs"))
        for (const int pid : parse_pids(*procs)) sys.kill(pid, SIGKILL);
    }
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  for (;;) {
    const auto text = read_small_file(sys, events);
    const auto parsed = text ? parse_cgroup_events(*text) : std::nullopt;
    if (!parsed || !parsed->populated) break;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (in < 0 || left.count() <= 0) break;
    pollfd p{in, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) > 0) {
      char buf[4096];
      while (sys.read(in, buf, sizeof buf) > 0) {
      }
    }
    for (const auto& d : dirs) {  // the fallback's survivors, and forks it raced with
      if (const auto procs = read_small_file(sys, d + "/cgroup.procs"))
        for (const int pid : parse_pids(*procs)) sys.kill(pid, SIGKILL);
    }
  }
  if (in >= 0) sys.close(in);
  for (const auto& d : dirs) sys.rmdir(d.c_str());
  return killed;
}

}  // namespace arbor::host
