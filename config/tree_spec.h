// The validated configuration of a supervision tree (docs/CONFIG.md), as plain values.
//
// Everything here is produced by config::load_* after validation: ids are well formed,
// command[0] is an absolute path, users and groups are resolved to numeric ids, and
// every default of the spec is filled in. The supervision core and the process host
// read these structs and never re-validate them.
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <cstdlib>

#include <array>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/argv.h"
#include "config/lazy.h"

namespace arbor::config {

// Enumerators use the config spellings so that each to/from-string is one table.
enum class ChildType { worker, supervisor, dynamic_supervisor };
enum class RestartType { permanent, transient, temporary };
enum class Strategy { one_for_one, one_for_all, rest_for_one };
enum class AutoShutdown { never, any_significant, all_significant };
// What arbord exits with when the root ends by auto_shutdown (docs/CONFIG.md): 0, or the
// status of the significant child whose end triggered it (its code, or 128 + signal).
enum class AutoShutdownExitCode { zero, child };

struct Shutdown {
  enum class Kind { brutal_kill, timeout, infinity };
  Kind kind = Kind::timeout;
  std::int64_t ms = 5000;  // meaningful for Kind::timeout only

  static Shutdown brutal() { return {Kind::brutal_kill, 0}; }
  static Shutdown after(std::int64_t ms) { return {Kind::timeout, ms}; }
  static Shutdown infinite() { return {Kind::infinity, 0}; }
  bool operator==(const Shutdown&) const = default;
};

struct Backoff {
  std::int64_t initial_ms = 0;
  std::int64_t max_ms = 0;
  bool operator==(const Backoff&) const = default;
};

// Where a worker's stdout or stderr goes.
struct Output {
  enum class Kind { log, inherit, null, file };
  Kind kind = Kind::log;
  Lazy<std::string> file;  // Kind::file only: the path as written in the config (out of line)
  bool operator==(const Output&) const = default;
};

// A check run from arbord against a worker (docs/CONFIG.md "Probes"): a command that must exit
// 0, a TCP connection that must be accepted, or an HTTP GET that must answer 2xx or 3xx.
struct Probe {
  enum class Kind { exec, tcp, http };
  Kind kind = Kind::tcp;
  std::vector<std::string> command;  // exec: argv, command[0] resolved to an absolute path
  std::string host;                  // tcp, http: an IP address (localhost is 127.0.0.1)
  int port = 0;                      // tcp, http
  std::string path;                  // http: the request target, "/" at least
  std::string text;                  // tcp, http: the value as written ("127.0.0.1:5432", the URL)
  bool operator==(const Probe&) const = default;
};

// When a worker counts as started.
struct Ready {
  enum class Kind { none, notify, fd, probe };
  Kind kind = Kind::none;
  int fd = -1;  // Kind::fd only
  std::int64_t timeout_ms = 30000;
  Cold<Probe> probe;               // Kind::probe only (out of line: config/lazy.h)
  std::int64_t interval_ms = 200;  // Kind::probe only: from one try's start to the next's
  bool operator==(const Ready&) const = default;
};

// A listening socket that arbord opens before the worker's first start, holds across its
// restarts and passes to each start as fd 3, 4, ... (docs/CONFIG.md "listen").
struct Listen {
  enum class Kind { tcp, unix_socket };  // not `unix`: GNU C++ predefines it as a macro
  Kind kind = Kind::tcp;
  std::string address;  // as written: "127.0.0.1:8080", "[::1]:8080", or the socket file's path
  std::string name;     // its LISTEN_FDNAMES entry; empty: the worker's id
  mode_t mode = 0666;   // unix_socket: the socket file's permissions (systemd's SocketMode default)
  // tcp: the parsed address (parse_tcp_address in config/listen.h)
  bool ipv6 = false;
  std::array<std::uint8_t, 16> ip{};  // network byte order; IPv4 in the first 4 bytes
  std::uint16_t port = 0;
  std::uint32_t scope_id = 0;  // IPv6 "%eth0" or "%2"; 0: none
  bool operator==(const Listen&) const = default;
};

// Liveness (docs/CONFIG.md "health"): after `failures` consecutive failed probes the worker is
// stopped, and its end is an abnormal exit.
struct Health {
  Probe probe;
  std::int64_t interval_ms = 10000;  // from one probe's start to the next's
  std::int64_t timeout_ms = 1000;    // one probe's
  std::int64_t start_period_ms = 0;  // after started: failures do not count
  int failures = 3;
  bool operator==(const Health&) const = default;
};

// `success_exit_codes`: {0} unless set. Held out of line (config/lazy.h): the default, which
// nearly every worker keeps, costs no heap block.
class ExitCodes {
 public:
  ExitCodes() = default;
  ExitCodes(std::vector<int> codes) : set_(std::move(codes)) {}  // NOLINT: as the vector it replaces
  ExitCodes(std::initializer_list<int> codes) : set_(std::vector<int>(codes)) {}
  const std::vector<int>& list() const { return set_ ? *set_ : zero(); }
  bool contains(int code) const {
    for (const int c : list())
      if (c == code) return true;
    return false;
  }
  bool operator==(const ExitCodes& o) const { return list() == o.list(); }
  bool operator==(const std::vector<int>& o) const { return list() == o; }

 private:
  static const std::vector<int>& zero() {
    static const std::vector<int> codes{0};
    return codes;
  }
  Lazy<std::vector<int>> set_;
};

// The worker-only part of a child spec.
struct WorkerSpec {
  Argv command;  // command[0] resolved to an absolute path; packed (config/argv.h)
  std::vector<std::pair<std::string, std::string>> env;  // added to arbord's environment, in file order
  // The rarely set members are out of line (config/lazy.h): a spec is kept per child.
  Lazy<std::string> cwd;
  Lazy<std::string> user;    // as written (name or number)
  Lazy<std::string> group;   // as written (name or number)
  std::optional<uid_t> uid;  // resolved from user
  std::optional<gid_t> gid;  // resolved from group, else the user's primary group
  std::optional<mode_t> umask;
  int stop_signal = 15;  // SIGTERM
  ExitCodes success_exit_codes;
  Lazy<Backoff> backoff;
  Output stdout_spec;
  Output stderr_spec;
  Ready ready;
  std::vector<Listen> listen;  // passed as fds 3 ... 3 + size() - 1
  Lazy<Health> health;
  std::optional<std::int64_t> watchdog_ms;  // WATCHDOG=1 expected at least this often
  bool operator==(const WorkerSpec&) const = default;
};

// Resource limits (SPEC §7), written to the cgroup v2 controllers' files of a worker, or of a
// supervisor, whose limit covers its whole subtree. Unset: the controller's default (none).
struct Limits {
  std::optional<std::int64_t> memory_max;       // bytes: memory.max
  std::optional<std::int64_t> memory_high;      // bytes: memory.high
  std::optional<std::int64_t> pids_max;         // pids.max
  std::optional<std::int64_t> cpu_weight;       // 1-10000: cpu.weight
  std::optional<std::int64_t> cpu_max_percent;  // 1-100 x cores: cpu.max
  bool empty() const { return !memory_max && !memory_high && !pids_max && !cpu_weight && !cpu_max_percent; }
  bool operator==(const Limits&) const = default;
};

// Top-level "cgroups" (SPEC §7): use cgroup v2 when possible, insist on it, or never.
enum class CgroupsMode { automatic, required, off };

struct ChildSpec;

// The supervisor-only part of a child spec (also used for dynamic supervisors).
struct SupervisorSpec {
  Strategy strategy = Strategy::one_for_one;
  int max_restarts = 3;
  std::int64_t max_seconds = 5;
  AutoShutdown auto_shutdown = AutoShutdown::never;
  std::vector<ChildSpec> children;                  // supervisor only
  std::optional<std::size_t> max_children;          // dynamic_supervisor only; empty = unlimited
  std::shared_ptr<const ChildSpec> child_template;  // dynamic_supervisor only: a worker, id ""
  bool operator==(const SupervisorSpec& other) const;
};

struct ChildSpec {
  std::string id;
  ChildType type = ChildType::worker;
  RestartType restart = RestartType::permanent;
  Shutdown shutdown;  // default 5000 ms for workers, infinity for supervisors
  bool significant = false;
  Cold<Limits> limits;              // "limits" (config/limits_parser.cpp); out of line: config/lazy.h
  WorkerSpec worker;                // type == worker
  Cold<SupervisorSpec> supervisor;  // type == supervisor or dynamic_supervisor (out of line)
  bool operator==(const ChildSpec&) const = default;

  bool is_worker() const { return type == ChildType::worker; }
};

inline bool SupervisorSpec::operator==(const SupervisorSpec& o) const {
  const bool same_template = (!child_template && !o.child_template) ||
                             (child_template && o.child_template && *child_template == *o.child_template);
  return strategy == o.strategy && max_restarts == o.max_restarts && max_seconds == o.max_seconds &&
         auto_shutdown == o.auto_shutdown && children == o.children && max_children == o.max_children &&
         same_template;
}

struct LogsSpec {
  std::uint64_t max_bytes = 10485760;
  int keep = 5;
  bool operator==(const LogsSpec&) const = default;
};

// Where the captured output ("log") of the child at `path` (docs/SEMANTICS.md: "web/api") goes:
// <log_dir>/web.api.log. One spelling for the capture, `logs` and arbord's log lines.
inline std::string log_file_path(const std::string& log_dir, std::string path) {
  for (char& c : path)
    if (c == '/') c = '.';
  return log_dir + "/" + path + ".log";
}

// The control socket when the file names none: root's is /run/arbor/arbord.sock; any other
// user's is $XDG_RUNTIME_DIR/arbor/arbord.sock (a folder of their own, where arborctl looks
// for it too), or root's path when that variable is unset.
inline std::string default_socket_path() {
  if (::geteuid() != 0) {
    if (const char* xdg = std::getenv("XDG_RUNTIME_DIR"); xdg != nullptr && xdg[0] != '\0')
      return std::string(xdg) + "/arbor/arbord.sock";
  }
  return "/run/arbor/arbord.sock";
}

// Top-level "metrics" (docs/CONFIG.md, SPEC §11): arbord serves GET /metrics over HTTP on
// `listen` (a tcp Listen); off when absent.
struct MetricsSpec {
  std::optional<Listen> listen;
  bool operator==(const MetricsSpec&) const = default;
};

struct TreeSpec {
  std::string socket = default_socket_path();
  std::string log_dir = "/var/log/arbor";
  // Operator stops kept across restarts of arbord (SPEC §9); "" is the default, arbord.state
  // in the socket's directory: state_file_path() below.
  std::string state_file;
  LogsSpec logs;
  AutoShutdownExitCode auto_shutdown_exit_code = AutoShutdownExitCode::zero;
  CgroupsMode cgroups = CgroupsMode::automatic;
  MetricsSpec metrics;
  ChildSpec root;  // type supervisor, id "/"
};

// Where arbord keeps its state file: `state_file`, else arbord.state beside the socket.
inline std::string state_file_path(const TreeSpec& tree) {
  if (!tree.state_file.empty()) return tree.state_file;
  const std::size_t slash = tree.socket.rfind('/');
  if (slash == std::string::npos) return "arbord.state";
  return tree.socket.substr(0, slash + 1) + "arbord.state";
}

}  // namespace arbor::config
