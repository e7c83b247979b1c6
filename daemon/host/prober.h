// Prober: runs the core's probes (config::Probe) on the loop, never blocking it.
//
//  - tcp: a uv_tcp_t connect; accepted = passed.
//  - http: the same, then `GET PATH HTTP/1.1` with `Connection: close`; the status line's
//    code decides (200-399 passed). A small client of our own rather than libcurl: a probe
//    needs one request and one status line, and libcurl's multi-socket glue on libuv is
//    more code (and a dependency) than the client itself.
//  - exec: spawned and reaped through the ProcessRunner (the one reaper of arbord's
//    children), as the worker's user, in its cwd and env, output to /dev/null; exit 0 =
//    passed. It is never a node of the tree, so status never shows it.
//
// Probes have no timer here: the core times each one out and calls cancel() (which closes
// the socket, or SIGKILLs the exec probe's group, reaped as any child). At most one probe
// per key (the worker's spawn token) is in flight; results arrive from the loop, never
// from inside run() or cancel().
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "config/tree_spec.h"
#include "daemon/host/callback_queue.h"
#include "daemon/host/process_runner.h"

namespace arbor::host {

class NetProbe;

class Prober {
 public:
  // passed, or failed with why: "connect 127.0.0.1:5432: connection refused",
  // "GET /healthz: 503", "exec: exit 2".
  using Done = std::function<void(bool passed, std::string error)>;

  // Exec probes go through `runner`, with runner tokens that have kTokenBit set; the owner
  // routes those tokens' spawned/start_failed/exited callbacks here (owns()).
  Prober(uv_loop_t* loop, ProcessRunner& runner);
  ~Prober();
  Prober(const Prober&) = delete;
  Prober& operator=(const Prober&) = delete;

  static constexpr std::uint64_t kTokenBit = std::uint64_t{1} << 63;
  static bool owns(std::uint64_t runner_token) { return (runner_token & kTokenBit) != 0; }

  // Starts `probe` for `key`; `spec` is the worker's (user, cwd, env for an exec probe).
  void run(std::uint64_t key, const config::Probe& probe, const config::WorkerSpec& spec, Done done);
  // Abandons the probe of `key`, if any: its Done is not called (unless already queued).
  void cancel(std::uint64_t key);

  // The runner's callbacks for an exec probe's token.
  void start_failed(std::uint64_t runner_token, const std::string& error);
  void exited(std::uint64_t runner_token, WaitStatus status);

  // Probes in flight (sockets open, exec probes not yet reaped).
  std::size_t in_flight() const { return net_.size() + exec_.size(); }

  // Closes every socket and drops every Done (exec probes are the runner's to kill).
  void close();

 private:
  friend class NetProbe;
  struct Exec {
    std::uint64_t key = 0;
    Done done;  // empty once cancelled: the exit is only reaped
  };

  void finish_net(std::uint64_t key, bool passed, std::string error);
  void exited_or_failed(std::uint64_t runner_token, bool passed, const std::string& error);

  uv_loop_t* loop_;
  ProcessRunner& runner_;
  CallbackQueue queue_;  // failures found inside run() are reported from here
  struct Net {
    NetProbe* probe = nullptr;  // deletes itself once its socket is closed
    Done done;
  };
  std::unordered_map<std::uint64_t, Net> net_;                // by key
  std::unordered_map<std::uint64_t, Exec> exec_;              // by runner token
  std::unordered_map<std::uint64_t, std::uint64_t> exec_of_;  // key -> runner token
  std::uint64_t next_exec_ = 0;
};

}  // namespace arbor::host
