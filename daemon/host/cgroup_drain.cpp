#include "daemon/host/cgroup_drain.h"

#include <signal.h>

#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "daemon/host/cgroup_parse.h"
#include "daemon/host/cgroup_tree.h"

namespace arbor::host {

CgroupDrain::CgroupDrain(uv_loop_t* loop, Sys& sys, bool has_kill)
    : sys_(sys), has_kill_(has_kill), watch_(loop, sys) {
  watch_.open();  // failing here, it is tried again at the first wait
}

bool CgroupDrain::populated(const std::string& dir) {
  const auto text = read_small_file(sys_, dir + "/cgroup.events");
  const auto events = text ? parse_cgroup_events(*text) : std::nullopt;
  return !events || events->populated;  // unreadable: not known to be empty
}

void CgroupDrain::kill_each(const std::string& dir) {
  if (const auto procs = read_small_file(sys_, dir + "/cgroup.procs")) {
    for (const int pid : parse_pids(*procs)) sys_.kill(pid, SIGKILL);
  }
}

bool CgroupDrain::kill(const std::string& dir) {
  if (has_kill_ && write_small_file(sys_, dir + "/cgroup.kill", "1")) return true;
  write_small_file(sys_, dir + "/cgroup.freeze", "1");  // SIGKILL reaches frozen processes
  kill_each(dir);
  return false;
}

bool CgroupDrain::leader_exited(const std::string& path, const std::string& dir, pid_t leader) {
  const auto procs = read_small_file(sys_, dir + "/cgroup.procs");
  if (!procs || procs->empty()) return false;  // the common case: nothing left, nothing to kill
  std::vector<int> outside;
  for (const int pid : parse_pids(*procs)) {
    if (sys_.getpgid(pid) != leader) outside.push_back(pid);  // its own group dies with it anyway
  }
  // Worded as without cgroups (reaper.h), which guesses; here the cgroup knows.
  if (!outside.empty()) {
    spdlog::warn(
        "{}: exited but left processes {} running in other sessions (the program daemonized; run it in the "
        "foreground, e.g. nginx `daemon off;`) — they are killed with the worker",
        path, fmt::join(outside, " "));
  }
  return kill(dir);
}

void CgroupDrain::when_empty(std::uint64_t token, const std::string& dir, std::function<void()> done) {
  if (!populated(dir)) {
    if (!has_kill_) write_small_file(sys_, dir + "/cgroup.freeze", "0");
    done();
    return;
  }
  spdlog::debug("cgroups: {} still populated after its group is gone: awaiting cgroup.events", dir);
  Wait& wait = waits_[token];
  wait.dir = dir;
  wait.done = std::move(done);
  wait.wd = watch_.watch(dir + "/cgroup.events", [this, token] { changed(token); });
  if (wait.wd < 0) {
    // No inotify (EMFILE, ENOSPC for watches): the worker is reported exited with the
    // cgroup still draining; its restart may then overlap the dying leftovers.
    spdlog::warn("cgroups: cannot watch {}/cgroup.events: {}; not waiting for it to empty", dir,
                 std::strerror(errno));
    auto fn = std::move(wait.done);
    waits_.erase(token);
    fn();
    return;
  }
  changed(token);  // it may have emptied before the watch was set
}

void CgroupDrain::changed(std::uint64_t token) {
  auto it = waits_.find(token);
  if (it == waits_.end()) return;
  if (populated(it->second.dir)) {
    if (!has_kill_) kill_each(it->second.dir);  // survivors of a fork race, until frozen
    return;
  }
  if (!has_kill_) write_small_file(sys_, it->second.dir + "/cgroup.freeze", "0");
  watch_.unwatch(it->second.wd);
  auto done = std::move(it->second.done);
  waits_.erase(it);
  done();
}

void CgroupDrain::cancel(std::uint64_t token) {
  auto it = waits_.find(token);
  if (it == waits_.end()) return;
  watch_.unwatch(it->second.wd);
  waits_.erase(it);
}

void CgroupDrain::close() {
  waits_.clear();
  watch_.close();
}

}  // namespace arbor::host
