// CgroupTree: arbord's cgroup v2 subtree (SPEC §7, docs/DESIGN.md "Containment").
//
// Layout, below the cgroup arbord started in (S, from /proc/self/cgroup and the v2 mount
// of /proc/self/mountinfo):
//
//   S/arbord-PID/            the instance: one per arbord, so several may share S
//   S/arbord-PID/daemon      arbord itself (the no-internal-processes rule: a cgroup with
//                            children and controllers holds no process)
//   S/arbord-PID/tree        the root supervisor "/"
//   .../tree/c-web/c-api     the child "web/api": one cgroup per supervisor, one per worker
//
// Child ids are [A-Za-z0-9_.-], so an id like "cpu.max" could collide with a controller's
// interface file; every child's directory is "c-" + id. Interface files are named
// SUBSYS.FILE with SUBSYS a C identifier, so a name whose part before the first '.'
// holds a '-' never collides.
//
// A child's cgroup is made (with its ancestors) by the first spawn below it and kept across
// restarts: the restart path opens the directory, it does not mkdir. remove() is called
// when a child is removed; close() removes everything, the instance included, when arbord
// exits (moving arbord back to S first). Controllers cpu, memory and pids are enabled
// down the tree where S offers them; a limit (config::Limits) is written when its cgroup
// is made (a worker's again when its spec's limits changed).
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/tree_spec.h"
#include "daemon/host/sys.h"

namespace arbor::host {

class CgroupTree {
 public:
  // The limits of the node at a path ("/", "web", "web/api"), or null (none, or unknown).
  using LimitsOf = std::function<const config::Limits*(const std::string& path)>;

  // Finds the v2 mount and arbord's cgroup, makes the instance, moves arbord into its leaf
  // and enables the controllers. nullptr with `why` set ("no cgroup2 file system is
  // mounted", "cannot create /sys/fs/cgroup/x/arbord-12: Read-only file system").
  static std::unique_ptr<CgroupTree> create(Sys& sys, LimitsOf limits_of, std::string& why);
  // reexec's new program: the instance the old program made (an absolute "…/arbord-PID"
  // from the state), with the cgroups already below it; nothing is made or swept.
  // nullptr with `why` when it is not arbord's own any more (cgroup_adopt.cpp).
  // `is_worker(path)`: a worker's cgroup has no child cgroups, so its directory is not
  // listed (5,000 directory listings were half of a reexec's adoption with cgroups).
  static std::unique_ptr<CgroupTree> adopt(Sys& sys, LimitsOf limits_of, const std::string& instance,
                                           std::string& why,
                                           const std::function<bool(const std::string&)>& is_worker = {});

  // Removes what a dead arbord left: kills every process below `instance` (an absolute
  // "…/arbord-PID" directory on a cgroup2 file system, from the group record), waits up to
  // `wait_ms` for it to empty, removes its cgroups. Returns the number of processes killed.
  static int clean_up(const std::string& instance, Sys& sys, int wait_ms = 5000);
  // The same for the instance's workers' part alone ("tree"): a reexec's fallback, whose
  // arbord is still in the instance's "daemon" (group_record.cpp).
  static int clean_up_tree(const std::string& instance, Sys& sys, int wait_ms = 5000);

  ~CgroupTree();
  CgroupTree(const CgroupTree&) = delete;
  CgroupTree& operator=(const CgroupTree&) = delete;

  // The absolute directory of the node at `path`, made with its ancestors when missing;
  // the worker's limits are (re)written when they differ from the last written. nullopt
  // with `error` ("mkdir …: …") when it cannot be made.
  std::optional<std::string> ensure(const std::string& path, std::string& error);

  // The node's cgroup relative to the v2 mount ("/arbord-12/tree/c-web/c-api"), as status
  // shows it (whether made yet or not).
  std::string relative(const std::string& path) const;
  std::string absolute(const std::string& path) const { return mount_ + relative(path); }

  // The interface file `file` ("cpu.stat") of the node at `path`, read whole, or nullopt
  // (errno set). Opened relative to the tree cgroup's directory, held open (one descriptor,
  // O_PATH): a scrape reads a file of every worker, and the kernel's walk of the absolute
  // path was most of its cost (cgroup_read.cpp).
  std::optional<std::string> read_file(const std::string& path, const char* file);

  // cpu.stat's usage_usec of the node at `path`, for a walk of the tree that reads a
  // parent before its children (status, `metrics`). A cgroup's usage never goes down and
  // a parent's is the sum of its subtree's (dead children's included), so a parent whose
  // usage is what the last walk read had nothing below it run since: with
  // `parent_unchanged` (the parent's reading in this walk said so) the last value read is
  // returned without a read. A scrape of 5,000 idle workers reads one file, not 5,000
  // (cgroup_read.cpp says why the figure stays exact).
  struct CpuReading {
    std::optional<std::uint64_t> usec;
    bool unchanged = false;  // the same as the last walk's: nothing below ran since
  };
  CpuReading cpu_usage(const std::string& path, bool parent_unchanged);

  // Removes the cgroups of the node at `path` and below (its processes are gone).
  void remove(const std::string& path);
  // Replaces the empty cgroup of the worker at `path` by a new one with the same name and
  // limits: after a cgroup.kill (see CgroupDrain::kill), on the exit path, so the next
  // start's clone3 lives.
  void renew(const std::string& path);
  // Removes every cgroup made, the instance last; arbord moves back to its first cgroup.
  // False when the instance had to stay (see cgroup_tree.cpp).
  bool close();

  const std::string& instance() const { return instance_; }                     // absolute
  bool has_kill() const { return has_kill_; }                                   // cgroup.kill (Linux >= 5.14)
  const std::vector<std::string>& controllers() const { return controllers_; }  // enabled
  bool has_controller(const std::string& name) const {
    return std::find(controllers_.begin(), controllers_.end(), name) != controllers_.end();
  }
  Sys& sys() { return sys_; }

 private:
  static int clean_up_below(const std::string& instance, const char* part, Sys& sys, int wait_ms);
  CgroupTree(Sys& sys, LimitsOf limits_of) : sys_(sys), limits_of_(std::move(limits_of)) {}
  bool make(const std::string& path, std::string& error);
  void apply_limits(const std::string& dir, const config::Limits& was, const config::Limits& now);
  void enable_controllers(const std::string& dir);

  static constexpr std::uint64_t kNotRead = ~std::uint64_t{0};
  // One per cgroup made (5,000 workers: 5,000 of them). Most nodes have no limits, so the
  // last written ones are held out of line: null for none (Limits is 80 bytes).
  struct Made {
    std::unique_ptr<const config::Limits> limits;  // last written; null: none
    std::size_t children = 0;
    std::uint64_t cpu_read = kNotRead;  // usage_usec at the last cpu_usage() read
    const config::Limits& written() const { return limits ? *limits : kNoLimits; }
    void set(const config::Limits& now) {
      limits = now.empty() ? nullptr : std::make_unique<const config::Limits>(now);
    }
  };
  static const config::Limits kNoLimits;
  void refresh_limits(const std::string& path, Made& made);

  Sys& sys_;
  LimitsOf limits_of_;
  std::string mount_;     // "/sys/fs/cgroup"
  std::string start_;     // S, absolute
  std::string instance_;  // S/arbord-PID, absolute
  std::string tree_rel_;  // "/…/arbord-PID/tree"
  bool has_kill_ = false;
  bool closed_ = false;
  int tree_fd_ = -1;  // the tree cgroup's directory (O_PATH), for read_file
  void open_tree_dir();
  std::vector<std::string> controllers_;
  std::unordered_map<std::string, Made> made_;  // by node path
};

// Reads a small file whole (a cgroup interface file); nullopt with errno on failure.
// Reads an open fd to its end and closes it; with `short_read_ends`, a read that does not
// fill the buffer is taken as the end (kernfs files answer whole in one read).
std::optional<std::string> read_open_file(Sys& sys, int fd, bool short_read_ends);
std::optional<std::string> read_small_file(Sys& sys, const std::string& path);
// Writes `text` to an existing file in one write; false with errno on failure.
bool write_small_file(Sys& sys, const std::string& path, const std::string& text);

}  // namespace arbor::host
