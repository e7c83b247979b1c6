#include "daemon/app/app.h"

#include <malloc.h>

#include <csignal>
#include <unordered_set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "arbor_version.h"
#include "daemon/app/app_daemon.h"
#include "daemon/app/event_log.h"
#include "daemon/app/init_mode.h"
#include "daemon/app/state_file.h"
#include "daemon/app/reexec_state.h"
#include "daemon/app/stderr_sink.h"
#include "daemon/control/socket/control_server.h"
#include "daemon/control/socket/metrics_server.h"
#include "daemon/core/node.h"
#include "daemon/core/supervisor.h"
#include "daemon/host/cgroup_parse.h"
#include "daemon/host/cgroup_tree.h"
#include "daemon/host/group_record.h"

namespace arbor::app {

namespace {
// The paths of the spec's workers ("web/api"; a dynamic supervisor's children are not in
// the spec): CgroupTree::adopt does not list their cgroups' directories.
void worker_paths(const config::ChildSpec& node, std::unordered_set<std::string>& out,
                  const std::string& path = "/") {
  for (const config::ChildSpec& child : node.supervisor->children) {
    std::string p = path == "/" ? child.id : path + "/" + child.id;
    if (child.is_worker()) {
      out.insert(std::move(p));
    } else {
      worker_paths(child, out, p);
    }
  }
}
}  // namespace

App::App(AppOptions options) : options_(std::move(options)), random_(std::random_device{}()) {
  uv_loop_init(&loop_);
  if (options_.log_sink) options_.log_sink->attach(&loop_);
  systemd_.attach(&loop_);
  host::RunnerCallbacks callbacks;
  callbacks.spawned = [this](std::uint64_t token, int pid) { tree_->on_spawned(token, pid, now()); };
  callbacks.start_failed = [this](std::uint64_t token, const std::string& error) {
    tree_->on_spawn_failed(token, error, now());
  };
  callbacks.ready = [this](std::uint64_t token) { tree_->on_ready(token, now()); };
  callbacks.status_text = [this](std::uint64_t token, std::string text) {
    tree_->on_status_text(token, std::move(text));
  };
  callbacks.watchdog = [this](std::uint64_t token, bool trigger) {
    tree_->on_watchdog(token, trigger, now());
  };
  callbacks.exited = [this](std::uint64_t token, host::WaitStatus status) {
    tree_->on_exited(token, core::ExitStatus{status.signaled, status.oom, status.value}, now());
  };
  callbacks.log_dropped = [this](const std::string& path, std::uint64_t bytes) {
    tree_->on_log_dropped(path, bytes);
  };
  if (options_.tree.cgroups != config::CgroupsMode::off) {
    auto limits_of = [this](const std::string& path) -> const config::Limits* {
      const core::Node* node = tree_ ? tree_->find(path) : nullptr;
      return node != nullptr ? &*node->spec().limits : nullptr;
    };
    // reexec: the old program's instance, where every worker's cgroup is (in the record already).
    if (options_.adopt != nullptr && !options_.adopt->cgroup_instance.empty()) {
      std::unordered_set<std::string> workers;
      worker_paths(options_.tree.root, workers);
      cgroups_ = host::CgroupTree::adopt(
          host::Sys::real(), limits_of, options_.adopt->cgroup_instance, cgroups_error_,
          [&workers](const std::string& path) { return workers.count(path) != 0; });
      if (!cgroups_) spdlog::warn("reexec: cannot take the cgroups over: {}; a new instance", cgroups_error_);
    }
    if (!cgroups_) {
      cgroups_ = host::CgroupTree::create(host::Sys::real(), limits_of, cgroups_error_);
      if (cgroups_ && options_.group_record) options_.group_record->cgroup_added(cgroups_->instance());
    }
  }
  runner_ = std::make_unique<host::ProcessRunner>(
      &loop_,
      host::RunnerOptions{options_.tree.log_dir, options_.tree.logs, nullptr, options_.group_record,
                          cgroups_.get()},
      route_probes(std::move(callbacks)));
  prober_ = std::make_unique<host::Prober>(&loop_, *runner_);
  timers_ =
      std::make_unique<UvTimers>(&loop_, [this](core::TimerToken token) { tree_->on_timer(token, now()); });
  core::Host& self = *this;
  // The tree takes the specs (reload reads them back from it): a second copy of every
  // child's spec would be ~0.5 KiB per child for nothing.
  tree_ = std::make_unique<core::SupervisorTree>(self, std::move(options_.tree.root));
  state_ = std::make_unique<StateFile>(config::state_file_path(options_.tree));
  options_.tree.root = {};
  events_.subscribe([this](const events::StampedEvent& e) { log_event(e); });
}

App::~App() {
  for (auto* h : {&sigterm_, &sigint_, &sighup_}) h->reset();
  init_signals_.reset();
  metrics_.reset();
  control_.reset();
  tree_.reset();
  timers_.reset();
  prober_.reset();
  runner_.reset();
  if (cgroups_ && cgroups_->close() && options_.group_record) {
    options_.group_record->cgroup_removed(cgroups_->instance());
  }
  cgroups_.reset();
  systemd_.detach();
  if (options_.log_sink) options_.log_sink->detach();
  uv_run(&loop_, UV_RUN_NOWAIT);  // let close callbacks run
  if (uv_loop_close(&loop_) != 0) spdlog::debug("event loop closed with handles still open");
}

core::Millis App::now() { return loop_now(&loop_); }

int App::run() {
  // A worker's death must not kill arbord through a broken pipe of ours.
  std::signal(SIGPIPE, SIG_IGN);
  if (options_.tree.cgroups == config::CgroupsMode::required && !cgroups_) {
    spdlog::error("cgroups are required (\"cgroups\": \"required\") but unavailable: {}", cgroups_error_);
    return exit_boot_failed;
  }
  if (options_.tree.cgroups == config::CgroupsMode::automatic && !cgroups_) {
    spdlog::warn(
        "cgroups unavailable: {}; workers run in process groups only (\"cgroups\": \"off\" "
        "silences this)",
        cgroups_error_);
  }
  // The socket is up before the first child starts, so `watch` sees the boot (docs/ARBORD.md).
  control_daemon_ = std::make_unique<AppDaemon>(*this);
  control_ = std::make_unique<control::ControlServer>(&loop_, *control_daemon_, options_.tree.socket);
  if (std::string error; options_.adopt && !control_->adopt(options_.adopt->listener_fd, error)) {
    spdlog::error("reexec: {}; binding the socket again", error);
    options_.adopt->listener_fd = -1;
  }
  if (std::string error; (!options_.adopt || options_.adopt->listener_fd < 0) && !control_->start(error)) {
    spdlog::error("{}", error);
    control_.reset();
    return exit_boot_failed;
  }
  if (const auto& listen = options_.tree.metrics.listen) {
    metrics_ = std::make_unique<control::MetricsServer>(&loop_, *control_daemon_, *listen);
    if (std::string error; !metrics_->start(error)) {
      spdlog::error("{}", error);
      metrics_.reset();
      control_->close();
      return exit_boot_failed;
    }
  }
  for (auto [handle, signo] : {std::pair{&sigterm_, SIGTERM}, {&sigint_, SIGINT}, {&sighup_, SIGHUP}}) {
    auto init = [this](uv_signal_t* h) { return uv_signal_init(&loop_, h); };
    *handle = uv::UvHandle<uv_signal_t>::create(this, init);
    if (!*handle) continue;
    uv_signal_start(
        handle->get(),
        [](uv_signal_t* h, int s) {
          if (auto* app = static_cast<App*>(h->data)) app->on_signal(s);
        },
        signo);
  }
  if (options_.init) {
    init_signals_ = std::make_unique<InitSignals>(&loop_, [this](const char* why) { request_shutdown(why); });
    unblock_init_signals();  // what arrived since main() blocked them is delivered now
  }
  self_watchdog_.start();
  if (options_.adopt) {
    adopt_state();  // the operator stops come with the tree
  } else {
    spdlog::info("arbord {} starting the tree from {}", ARBOR_VERSION, options_.config_path);
    // Once the socket is ours (a second arbord on a live one's socket has stopped above).
    restore_operator_stops();
    tree_->boot(now());
    const auto& f = options_.fallback;
    if (f.client_fd >= 0) answer_reexec(f.client_fd, f.request_id, false, f.why);
  }
  if (!finished_) uv_run(&loop_, UV_RUN_DEFAULT);
  return exit_status_;
}

void App::on_signal(int signo) {
  if (signo == SIGHUP) {
    spdlog::info("SIGHUP: reloading {}", options_.config_path);
    if (control_) control::reload_on_sighup(*control_);
    return;
  }
  request_shutdown(signo == SIGTERM ? "SIGTERM" : "SIGINT");
}

void App::request_shutdown(const char* why) {
  if (stopping_) {
    spdlog::info("{}: already stopping the tree", why);
    return;
  }
  stopping_ = true;
  systemd_.send("STOPPING=1\nSTATUS=stopping the tree");
  spdlog::info("{}: stopping the tree in reverse order", why);
  tree_->shutdown(now());
}

void App::spawn(core::SpawnToken token, const std::string& path, const config::WorkerSpec& spec) {
  runner_->spawn(token, path, spec);
}

void App::signal(core::SpawnToken token, int signo) { runner_->signal(token, signo); }

void App::arm_timer(core::TimerToken token, core::Millis deadline) { timers_->arm(token, deadline); }

void App::cancel_timer(core::TimerToken token) { timers_->cancel(token); }

std::uint64_t App::emit(const core::Event& event) {
  // A child removed from the tree (remove, a reload, a temporary or dynamic child ending)
  // gives up its listening sockets; a restart keeps them.
  if (event.type == core::EventType::removed) runner_->release_listen(event.path);
  // A removed child's cgroup goes with it (its processes are gone: it was stopped first).
  if (cgroups_ && event.type == core::EventType::removed) cgroups_->remove(event.path);
  return events_.publish(event);
}

control::CgroupUsage App::cgroup_usage(const std::string& path, bool parent_unchanged) {
  control::CgroupUsage usage;
  if (!cgroups_) return usage;
  usage.cgroup = cgroups_->relative(path);
  // memory.current exists only with the memory controller: without it, no failed open per
  // worker per scrape. cpu.stat is a core file of cgroup v2 (usage_usec always there).
  // Unlike usage, memory goes down: it is read every time.
  if (cgroups_->has_controller("memory")) {
    if (const auto text = cgroups_->read_file(path, "memory.current"))
      usage.memory_bytes = host::single_value(*text);
  }
  const host::CgroupTree::CpuReading cpu = cgroups_->cpu_usage(path, parent_unchanged);
  usage.cpu_usec = cpu.usec;
  usage.cpu_unchanged = cpu.unchanged;
  return usage;
}

void App::log_event(const events::StampedEvent& stamped) {
  const core::Event& event = stamped.event;
  const std::string line = describe_event(event);
  switch (event.type) {
    case core::EventType::start_failed:
      spdlog::error("{}{}", line, output_hint(event.path));
      break;
    case core::EventType::gave_up:
      spdlog::error("{} (`arborctl status {}` shows its children's last exits)", line, event.path);
      break;
    case core::EventType::log_dropped:
    case core::EventType::unhealthy:
      spdlog::error("{}", line);
      break;
    case core::EventType::exited:
      if (event.reason == core::ExitReason::abnormal) {
        spdlog::warn("{}{}", line, output_hint(event.path));
      } else {
        spdlog::info("{}", line);
      }
      break;
    case core::EventType::started:
    case core::EventType::restarting:
    case core::EventType::added:
    case core::EventType::removed:
    case core::EventType::reloaded:
    case core::EventType::command:
      spdlog::info("{}", line);
      break;
  }
}

// A crashing worker's log line points at what it printed, when arbord captured it.
std::string App::output_hint(const std::string& path) const {
  const core::Node* node = tree_->find(path);
  if (node == nullptr || !node->is_worker()) return {};
  const config::WorkerSpec& worker = node->spec().worker;
  if (worker.stdout_spec.kind != config::Output::Kind::log &&
      worker.stderr_spec.kind != config::Output::Kind::log)
    return {};
  return fmt::format("; its output: {}", config::log_file_path(options_.tree.log_dir, path));
}

void App::outcome(const core::Outcome& outcome) {
  switch (outcome.kind) {
    case core::OutcomeKind::booted: {
      spdlog::info("tree started");
      systemd_.send("READY=1\nSTATUS=" + summary());
      // Hand back to the kernel the heap the config's JSON document used: with thousands of
      // children it is most of arbord's peak, and glibc keeps freed memory otherwise.
      malloc_trim(0);
      return;
    }
    case core::OutcomeKind::boot_failed:
      spdlog::error("boot failed: {} could not start: {}", outcome.path, outcome.error);
      finish(exit_boot_failed);
      return;
    case core::OutcomeKind::stopped:
      spdlog::info("tree stopped");
      finish(exit_clean);
      return;
    case core::OutcomeKind::gave_up:
      spdlog::error("the root supervisor gave up (restart intensity reached); exiting with status 3");
      finish(exit_gave_up);
      return;
    case core::OutcomeKind::auto_shutdown: {
      const int status = auto_shutdown_status(options_.tree.auto_shutdown_exit_code, outcome.exit);
      spdlog::info("the root supervisor shut down (auto_shutdown); exiting with status {}", status);
      finish(status);
      return;
    }
  }
}

void App::finish(int status) {
  exit_status_ = status;
  finished_ = true;
  if (metrics_) metrics_->close();
  if (control_) control_->close();
  // Every process is gone by now: the core reports an ending only after its stops.
  for (auto* h : {&sigterm_, &sigint_, &sighup_}) h->reset();
  if (init_signals_) init_signals_->close();
  timers_->close_all();
  self_watchdog_.stop();
  prober_->close();
  runner_->close();
}

void App::notify_reloading() { systemd_.send("RELOADING=1\nSTATUS=reloading " + options_.config_path); }

void App::notify_reloaded() { systemd_.send("READY=1\nSTATUS=" + summary()); }

// Counted on the tree's own nodes: a status tree of 5,000 workers (tree_->status) was
// ~2 MB built and thrown away at boot and at every reload, at arbord's peak.
std::string App::summary() {
  std::size_t workers = 0;
  std::size_t running = 0;
  std::vector<const core::Node*> todo{&tree_->root()};
  while (!todo.empty()) {
    const core::Node* n = todo.back();
    todo.pop_back();
    if (n->is_worker()) {
      ++workers;
      if (n->state() == core::ChildState::running) ++running;
      continue;
    }
    for (const auto& c : static_cast<const core::Supervisor*>(n)->children()) todo.push_back(c.get());
  }
  return fmt::format("{} of {} workers running", running, workers);
}

int auto_shutdown_status(config::AutoShutdownExitCode mode, const std::optional<core::ExitStatus>& exit) {
  if (mode == config::AutoShutdownExitCode::zero || !exit) return exit_clean;
  // A shell's spelling, which schedulers understand: 128 + the signal's number.
  return exit->signaled ? 128 + exit->value : exit->value;
}

double App::random_unit() { return std::uniform_real_distribution<double>(0.0, 1.0)(random_); }

}  // namespace arbor::app
