// What the cgroup tests need of this machine: a writable cgroup v2 below the test's own
// cgroup (else they skip, saying why), and where a running arbord keeps its cgroups.
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "daemon/host/cgroup_check.h"
#include "daemon/host/cgroup_parse.h"

namespace arbor::testing {

inline std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string v2_mount() {
  const auto mount = host::cgroup2_mount(slurp("/proc/self/mountinfo"));
  return mount ? *mount : std::string();
}

// Empty when arbord can have cgroups here; else why not (the skip message).
inline std::string cgroups_unusable() {
  const std::string mount = v2_mount();
  if (mount.empty()) return "no cgroup2 file system is mounted";
  const auto own = host::own_cgroup(slurp("/proc/self/cgroup"));
  if (!own) return "this process has no cgroup v2";
  const std::string probe = mount + (*own == "/" ? "" : *own) + "/arbor-probe-" + std::to_string(getpid());
  std::error_code ec;
  if (!std::filesystem::create_directory(probe, ec) && ec) {
    return "cannot create a cgroup below " + mount + *own + ": " + ec.message() +
           " (needs root and a "
           "writable cgroup2)";
  }
  const bool has_events = std::filesystem::exists(probe + "/cgroup.events");
  std::filesystem::remove(probe, ec);
  if (!has_events) return "no cgroup.events (Linux >= 4.14 needed)";
  return {};
}

#define SKIP_WITHOUT_CGROUPS()                                                      \
  do {                                                                              \
    if (const std::string why = ::arbor::testing::cgroups_unusable(); !why.empty()) \
      GTEST_SKIP() << "cgroup v2 unusable here: " << why;                           \
  } while (0)

// Whether arbord's cgroup (this process's) offers `controller` to its children, as arbord
// itself finds out (host::offered_controllers); `offered` gets the list, for a skip message.
inline bool controller_offered(const char* controller, std::string& offered) {
  offered.clear();
  bool found = false;
  for (const std::string& name : host::offered_controllers().names) {
    offered += (offered.empty() ? "" : " ") + name;
    found = found || name == controller;
  }
  return found;
}

// The cgroup of process `pid` ("/…/arbord-P/tree/c-a"), empty when it is gone.
inline std::string cgroup_of(pid_t pid) {
  const auto own = host::own_cgroup(slurp("/proc/" + std::to_string(pid) + "/cgroup"));
  return own ? *own : std::string();
}

// arbord `pid`'s cgroup instance (…/arbord-PID), from its /proc/PID/cgroup ("…/daemon").
inline std::string instance_of(pid_t pid) {
  const std::string own = cgroup_of(pid);
  if (!own.ends_with("/daemon")) return {};
  return v2_mount() + own.substr(0, own.size() - 7);
}

// The pids in a cgroup directory (cgroup.procs); empty when it is gone.
inline std::vector<int> procs_of(const std::string& dir) {
  return host::parse_pids(slurp(dir + "/cgroup.procs"));
}

// Sub-directories (child cgroups) of `dir`, recursively.
inline std::size_t cgroup_dirs_below(const std::string& dir) {
  std::size_t n = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory()) ++n;
  }
  return n;
}

}  // namespace arbor::testing
