// App: arbord's event loop. It wires the pure SupervisorTree to the world — the libuv
// ProcessRunner for processes, UvTimers for time, POSIX signals for shutdown — and
// turns the tree's outcome into arbord's exit status (docs/ARBORD.md). The control server
// plugs in here too: it will call the tree's operations and subscribe to events.
#pragma once

#include <uv.h>

#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/tree_spec.h"
#include "daemon/app/sd_notify.h"
#include "daemon/app/self_watchdog.h"
#include "daemon/app/uv_timers.h"
#include "daemon/control/daemon.h"
#include "daemon/core/host.h"
#include "daemon/core/supervisor_tree.h"
#include "daemon/events/event_bus.h"
#include "daemon/host/process_runner.h"
#include "daemon/host/prober.h"
#include "daemon/uv/uv_handle.h"

namespace arbor::control {
class ControlServer;
class MetricsServer;
}  // namespace arbor::control

namespace arbor::host {
class CgroupTree;
class GroupRecord;
}  // namespace arbor::host

namespace arbor::app {

struct ReexecState;
class StderrSink;
class InitSignals;
class StateFile;

struct AppOptions {
  config::TreeSpec tree;
  std::string config_path;
  std::string socket_path;
  // arbord's log sink, watched on the loop while stderr is full (null: not arbord's own log).
  std::shared_ptr<StderrSink> log_sink;
  host::GroupRecord* group_record = nullptr;  // owned by main(), outlives the App; may be null
  // Init mode (PID 1 or --init, daemon/app/init_mode.h): more signals handled.
  bool init = false;
  // reexec (docs/DESIGN.md, "In-place upgrade"): arbord's command line and its program, for
  // the exec; the state to take over instead of booting (the new program; owned by main());
  // and a reexec client to answer once a fallback boot has the socket up.
  std::vector<std::string> argv;
  std::string self_path;
  ReexecState* adopt = nullptr;
  struct Fallback {
    int client_fd = -1;
    nlohmann::json request_id;
    std::string why;
  } fallback;
};

// Exit statuses of docs/ARBORD.md.
enum ExitStatus : int { exit_clean = 0, exit_boot_failed = 1, exit_bad_config = 2, exit_gave_up = 3 };

// arbord's status when the root ended by auto_shutdown: 0, or with "child" the triggering
// child's exit code, or 128 + its signal (docs/CONFIG.md, auto_shutdown_exit_code).
int auto_shutdown_status(config::AutoShutdownExitCode mode, const std::optional<core::ExitStatus>& exit);

class App final : private core::Host {
 public:
  explicit App(AppOptions options);
  ~App() override;
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  // Boots the tree and runs until it has ended. Returns arbord's exit status.
  int run();

  // For the control server (and tests): the loop, the tree, the events, the clock.
  uv_loop_t* loop() { return &loop_; }
  core::SupervisorTree& tree() { return *tree_; }
  events::EventBus& events() { return events_; }
  core::Millis now();
  const AppOptions& options() const { return options_; }
  // The node's cgroup and accounting, read now (empty with cgroups off); see
  // control::Daemon::cgroup_usage.
  control::CgroupUsage cgroup_usage(const std::string& path, bool parent_unchanged);
  // Stops the tree in reverse order; arbord exits 0 once it is down (SIGTERM, `shutdown`).
  void request_shutdown(const char* why);
  // Tells systemd (Type=notify) that a reload begins / ended; no-op outside systemd.
  void notify_reloading();
  void notify_reloaded();
  // Why the state file's last write failed, "" if it did not (app_state.cpp).
  std::string state_file_error() const;
  // `arborctl reexec` (reexec.cpp): execs `binary` with the state; returns only if the old
  // program stays in charge, saying why.
  control::Daemon::ReexecRefusal reexec(const std::string& binary, int client_fd, const nlohmann::json& id);

 private:
  void spawn(core::SpawnToken token, const std::string& path, const config::WorkerSpec& spec) override;
  void signal(core::SpawnToken token, int signo) override;
  void arm_timer(core::TimerToken token, core::Millis deadline) override;
  void cancel_timer(core::TimerToken token) override;
  // Probes and their exec processes (app_health.cpp).
  void probe(core::SpawnToken token, std::uint64_t seq, const config::Probe& probe,
             const config::WorkerSpec& spec) override;
  void cancel_probe(core::SpawnToken token) override;
  // Sends the runner's callbacks for exec probes' tokens to the Prober, the rest on.
  host::RunnerCallbacks route_probes(host::RunnerCallbacks callbacks);
  std::uint64_t emit(const core::Event& event) override;
  void outcome(const core::Outcome& outcome) override;
  double random_unit() override;
  // The state file (app_state.cpp): operator stops read back before boot, kept on change.
  void restore_operator_stops();
  void save_operator_stops(const std::vector<std::string>& paths) override;

  // The new program (reexec_adopt.cpp): takes over options_.adopt instead of booting;
  // false when it had to start the tree from the config instead.
  void adopt_state();
  bool adopt_tree(ReexecState& state, std::string& why);
  void answer_reexec(int fd, const nlohmann::json& id, bool adopted, const std::string& why);

  void on_signal(int signo);
  void finish(int status);
  void log_event(const events::StampedEvent& event);
  std::string output_hint(const std::string& path) const;
  std::string summary();

  AppOptions options_;
  uv_loop_t loop_{};
  // cgroups on (SPEC §7); null: off, or unavailable (cgroups_error_ says why).
  std::unique_ptr<host::CgroupTree> cgroups_;
  std::string cgroups_error_;
  std::unique_ptr<host::ProcessRunner> runner_;
  std::unique_ptr<host::Prober> prober_;
  std::unique_ptr<UvTimers> timers_;
  std::unique_ptr<core::SupervisorTree> tree_;
  std::unique_ptr<StateFile> state_;
  events::EventBus events_;
  SdNotify systemd_;
  SelfWatchdog self_watchdog_{&loop_, systemd_};
  uv::UvHandle<uv_signal_t> sigterm_;
  uv::UvHandle<uv_signal_t> sigint_;
  uv::UvHandle<uv_signal_t> sighup_;
  std::unique_ptr<InitSignals> init_signals_;  // init mode only
  bool stopping_ = false;
  bool finished_ = false;
  int exit_status_ = exit_clean;
  std::mt19937_64 random_;
  // The control commands' view of this App (AppDaemon), and the socket serving them.
  // Last, so they go first: the clients' streams refer to the tree and the events.
  std::unique_ptr<control::Daemon> control_daemon_;
  std::unique_ptr<control::ControlServer> control_;
  // GET /metrics, with "metrics": {"listen"} (SPEC §11); null otherwise.
  std::unique_ptr<control::MetricsServer> metrics_;
};

}  // namespace arbor::app
