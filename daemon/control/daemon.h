// Daemon: what the control commands need of arbord. App provides it on libuv
// (app/app_daemon.h); the Dispatcher's unit tests provide it on a fake host and a fake clock,
// so every command runs without sockets, timers or files of a real daemon.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "config/tree_spec.h"
#include "daemon/core/error_code.h"
#include "daemon/events/event_bus.h"
#include "daemon/core/supervisor_tree.h"

namespace arbor::control {

// Something that runs until destroyed (a timer, a directory watch). Destroying it
// cancels it, also from inside its own callback.
class Handle {
 public:
  virtual ~Handle() = default;
};

// A node's cgroup (SPEC §7): its path relative to the v2 mount, and a worker's accounting,
// read from the cgroup when status asks. All empty with cgroups off.
struct CgroupUsage {
  std::optional<std::string> cgroup;
  std::optional<std::uint64_t> memory_bytes;  // memory.current
  std::optional<std::uint64_t> cpu_usec;      // cpu.stat usage_usec
  bool cpu_unchanged = false;                 // since the last walk: nothing below ran
};

// arbord's own process (the process_* metrics); a value that could not be read is absent.
struct ProcessStats {
  std::optional<std::uint64_t> resident_bytes;
  std::optional<std::uint64_t> open_fds;
  std::optional<double> start_time_seconds;  // since the epoch
};

class Daemon {
 public:
  virtual ~Daemon() = default;

  // arbord's resident memory, open descriptors and start time, read now.
  virtual ProcessStats process_stats() { return {}; }

  // The cgroup of the node at `path` with its memory and CPU (a supervisor's: its
  // subtree's). A walk of the tree asks for a parent before its children and passes the
  // parent's `cpu_unchanged` (CgroupTree::cpu_usage: an idle subtree is not read again).
  virtual CgroupUsage cgroup_usage(const std::string& /*path*/, bool /*parent_unchanged*/) { return {}; }

  virtual core::SupervisorTree& tree() = 0;
  // Why the state file's last write failed (SPEC §9), "" when it did not: replies that
  // changed the tree carry it as a warning.
  virtual std::string state_file_error() const { return {}; }
  // Monotonic ms, the core's clock.
  virtual core::Millis now() = 0;
  // A monotonic instant of the core as RFC 3339 UTC wall time.
  virtual std::string wall_time(core::Millis instant) = 0;

  // Every event of the tree, numbered and stamped (EventBus semantics).
  virtual std::uint64_t subscribe(std::function<void(const events::StampedEvent&)> listener) = 0;
  virtual void unsubscribe(std::uint64_t id) = 0;
  // The same events' history (EventBus::kept), for `watch --since` and `why`.
  virtual const events::EventBus& events() const = 0;

  // The file `reload` re-reads, and where workers' output is captured.
  virtual std::string config_path() const = 0;
  virtual const config::TreeSpec& tree_spec() const = 0;

  // Stops the tree; arbord exits 0 once it is down.
  virtual void request_shutdown(const char* why) = 0;
  // A reload is being applied / is done (arbord tells systemd: RELOADING=1, READY=1).
  virtual void reload_started() {}
  virtual void reload_finished() {}

  // reexec: replaces arbord's program with `binary` (empty: the one it was started from),
  // keeping the tree; the new program answers request `id` on the client's socket
  // `client_fd`. Returns only when the old program stays in charge: why (and the error's
  // code) in the result.
  struct ReexecRefusal {
    core::ErrorCode code = core::ErrorCode::busy;
    std::string why;
  };
  virtual ReexecRefusal reexec(const std::string& /*binary*/, int /*client_fd*/,
                               const nlohmann::json& /*id*/) {
    return {core::ErrorCode::bad_request, "reexec is not available here"};
  }

  // Calls `fn` once, `ms` from now.
  virtual std::unique_ptr<Handle> after(core::Millis ms, std::function<void()> fn) = 0;
  // Calls `fn` with a file name whenever something in directory `dir` changes (inotify).
  // Returns null and sets `error` when the directory cannot be watched.
  virtual std::unique_ptr<Handle> watch_dir(const std::string& dir,
                                            std::function<void(const std::string& name)> fn,
                                            std::string& error) = 0;
};

}  // namespace arbor::control
