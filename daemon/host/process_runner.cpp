// ProcessRunner glue: one Worker record per live token, tying together its spawn, its
// readiness channel, its log capture and its group's reaping. Every outcome goes through
// the CallbackQueue, so the owner is never re-entered from inside the runner.
#include "daemon/host/process_runner.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "daemon/host/cgroup_drain.h"
#include "daemon/host/cgroup_parse.h"
#include "daemon/host/cgroup_tree.h"
#include "daemon/host/exec_env.h"
#include "daemon/host/group_record.h"
#include "daemon/host/listen_sockets.h"
#include "daemon/host/log_capture.h"
#include "daemon/host/log_file.h"
#include "daemon/host/readiness.h"
#include "daemon/host/reaper.h"
#include "daemon/host/spawn.h"
#include "daemon/host/process_runner_impl.h"
#include "daemon/host/sys.h"

namespace arbor::host {

namespace {

ChildOutput child_output(const config::Output& output, int log_fd) {
  ChildOutput child;
  switch (output.kind) {
    case config::Output::Kind::log:
      child.kind = ChildOutput::Kind::fd;
      child.fd = log_fd;
      break;
    case config::Output::Kind::inherit:
      child.kind = ChildOutput::Kind::inherit;
      break;
    case config::Output::Kind::null:
      child.kind = ChildOutput::Kind::null;
      break;
    case config::Output::Kind::file:
      child.kind = ChildOutput::Kind::file;
      child.path = *output.file;
      break;
  }
  return child;
}

std::string log_file_name(const std::string& path) {
  std::string name = path;
  std::replace(name.begin(), name.end(), '/', '.');
  return name + ".log";
}

}  // namespace

void ProcessRunner::Impl::start_failed(std::uint64_t token, std::string error) {
  queue.post([this, token, error = std::move(error)] {
    if (callbacks.start_failed) callbacks.start_failed(token, error);
  });
}

std::shared_ptr<LogFile> ProcessRunner::Impl::log_file_for(const std::string& path, std::string& error,
                                                           bool later) {
  const std::string name = log_file_name(path);
  if (auto existing = log_files[name].lock()) return existing;
  auto on_dropped = [this, path](std::uint64_t bytes) {
    queue.post([this, path, bytes] {
      if (callbacks.log_dropped) callbacks.log_dropped(path, bytes);
    });
  };
  auto file = later ? LogFile::open_later(loop, open_logs, options.log_dir, name, options.logs,
                                          std::move(on_dropped), sys)
                    : LogFile::open(loop, open_logs, options.log_dir, name, options.logs,
                                    std::move(on_dropped), error, sys);
  if (file) log_files[name] = file;
  if (log_files.size() > 2 * log_files_swept_at + 64) {
    std::erase_if(log_files, [](const auto& entry) { return entry.second.expired(); });
    log_files_swept_at = log_files.size();
  }
  return file;
}

void ProcessRunner::Impl::spawn(std::uint64_t token, const std::string& path,
                                const config::WorkerSpec& spec) {
  if (closed) return;
  if (spec.command.empty()) return start_failed(token, stage_error("exec", ENOENT));
  if (workers.count(token) != 0) return start_failed(token, stage_error("spawn", EEXIST));
  std::string cgroup;
  if (cgroups) {
    std::string why;
    auto dir = cgroups->ensure(path, why);
    if (!dir) return start_failed(token, "cgroup: " + why);
    cgroup = std::move(*dir);
  }

  std::string error;
  std::vector<int> listen_fds;
  if (!listen_sockets.acquire(path, spec, listen_fds, error)) return start_failed(token, error);
  std::unique_ptr<Readiness> readiness;
  if (spec.ready.kind == config::Ready::Kind::notify || spec.ready.kind == config::Ready::Kind::fd) {
    readiness = Readiness::create(loop, sys, spec.ready, error);
    if (!readiness) return start_failed(token, error);
  }
  std::unique_ptr<Readiness> watchdog;
  if (spec.watchdog_ms && (!readiness || readiness->notify_socket().empty())) {
    watchdog = Readiness::create(loop, sys, config::Ready{config::Ready::Kind::notify}, error);
    if (!watchdog) return start_failed(token, error);
  }

  // One pipe for both streams: one descriptor per running worker in arbord.
  std::shared_ptr<LogFile> log;
  int log_pipe[2] = {-1, -1};
  if (spec.stdout_spec.kind == config::Output::Kind::log ||
      spec.stderr_spec.kind == config::Output::Kind::log) {
    log = log_file_for(path, error);
    if (!log) return start_failed(token, error);
    if (sys.pipe2(log_pipe, O_CLOEXEC) < 0) return start_failed(token, stage_error("pipe", errno));
    sys.fcntl(log_pipe[0], F_SETFL, O_NONBLOCK);
  }

  auto overrides = spec.env;
  if (readiness && !readiness->notify_socket().empty()) {
    overrides.emplace_back("NOTIFY_SOCKET", readiness->notify_socket());
  }
  if (!listen_fds.empty())
    add_listen_variables(overrides, listen_fds.size(), listen_fd_names(path, spec.listen));
  if (watchdog) overrides.emplace_back("NOTIFY_SOCKET", watchdog->notify_socket());
  if (spec.watchdog_ms) {  // systemd's variables; the child writes its pid into the zeros
    overrides.emplace_back("WATCHDOG_USEC", std::to_string(*spec.watchdog_ms * 1000));
    overrides.emplace_back("WATCHDOG_PID", std::string(10, '0'));
  }
  const CStringArray argv(spec.command.to_vector());
  CStringArray envp(build_environment(environ, overrides));  // the child writes LISTEN_PID into it
  SpawnPlan plan;
  plan.argv = &argv;
  plan.envp = &envp;
  plan.cwd = spec.cwd.to_optional();
  plan.uid = spec.uid;
  plan.gid = spec.gid;
  plan.umask = spec.umask;
  plan.out = child_output(spec.stdout_spec, log_pipe[1]);
  plan.err = child_output(spec.stderr_spec, log_pipe[1]);
  if (readiness && readiness->child_fd() >= 0) {
    plan.ready_source = readiness->child_fd();
    plan.ready_target = spec.ready.fd;
  }
  if (!listen_fds.empty()) {
    plan.listen_fds = &listen_fds;
    plan.listen_pid = listen_pid_entry(envp);
  }
  if (!cgroup.empty()) plan.cgroup_dir = &cgroup;
  if (spec.watchdog_ms) {
    for (std::size_t i = 0; i < envp.strings().size(); ++i)
      if (envp.strings()[i].starts_with("WATCHDOG_PID=")) plan.watchdog_pid = envp.data()[i] + 13;
  }

  SpawnResult result = spawn_process(plan, sys);
  if (log_pipe[1] >= 0) sys.close(log_pipe[1]);
  if (!result.ok()) {
    if (log_pipe[0] >= 0) sys.close(log_pipe[0]);
    return start_failed(token, std::move(result.error));
  }

  const pid_t pid = result.pid;
  queue.post([this, token, pid] {
    if (callbacks.spawned) callbacks.spawned(token, pid);
  });
  Worker& worker = workers[token];
  worker.pid = pid;
  worker.path = path;
  worker.in_cgroup = !cgroup.empty();
  if (worker.in_cgroup && cgroups->has_controller("memory")) {
    worker.counts_oom = true;
    worker.oom_kills = oom_kills(cgroup);
  }
  if (record) record->added(pid);
  auto on_watchdog = [this, token](bool trigger) {
    queue.post([this, token, trigger] {
      if (callbacks.watchdog) callbacks.watchdog(token, trigger);
    });
  };
  if (watchdog) {
    watchdog->on_watchdog(on_watchdog);
    watchdog->start(pid, {});
    worker.watchdog = std::move(watchdog);
  }
  if (readiness) {
    if (spec.watchdog_ms) readiness->on_watchdog(on_watchdog);
    auto on_ready = [this, token] {
      queue.post([this, token] {
        if (callbacks.ready) callbacks.ready(token);
      });
    };
    auto on_status = [this, token](std::string text) {
      queue.post([this, token, text = std::move(text)]() mutable {
        if (callbacks.status_text) callbacks.status_text(token, std::move(text));
      });
    };
    readiness->start(pid, std::move(on_ready), std::move(on_status));
    worker.readiness = std::move(readiness);
  }
  if (log) {
    const std::uint64_t id = ++next_capture_id;
    auto on_eof = [this, id] { queue.post([this, id] { captures.erase(id); }); };
    auto capture = std::make_unique<LogCapture>(loop, log_pipe[0], std::move(log), std::move(on_eof), sys);
    captures.emplace(id, std::move(capture));
    worker.capture_id = id;
  }
  reaper.watch(token, pid, result.pidfd, worker.in_cgroup);
}

void ProcessRunner::Impl::on_leader_exited(std::uint64_t token) {
  // A READY=1 or newline sent just before exiting still counts: it came first.
  auto it = workers.find(token);
  if (it == workers.end()) return;
  if (drain && it->second.in_cgroup &&
      drain->leader_exited(it->second.path, cgroup_of(it->second), it->second.pid)) {
    it->second.renew = true;
  }
  if (it->second.watchdog) it->second.watchdog->close();
  if (!it->second.readiness) return;
  it->second.readiness->drain();
  it->second.readiness->close();
}

void ProcessRunner::Impl::on_escaped(std::uint64_t token, const std::vector<pid_t>& pids,
                                     const std::vector<pid_t>& pgids) {
  auto it = workers.find(token);
  if (it == workers.end()) return;
  spdlog::warn(
      "{}: exited but left processes {} running in other sessions (the program daemonized; run it in the "
      "foreground, e.g. nginx `daemon off;`) — they are killed with the worker",
      it->second.path, fmt::join(pids, " "));
  if (!it->second.escaped) it->second.escaped = std::make_unique<std::vector<pid_t>>();
  for (const pid_t pgid : pgids) {
    if (record) record->added(pgid);
    it->second.escaped->push_back(pgid);
  }
}

std::uint64_t ProcessRunner::Impl::oom_kills(const std::string& dir) {
  const auto text = read_small_file(sys, dir + "/memory.events");
  return text ? keyed_value(*text, "oom_kill").value_or(0) : 0;
}

void ProcessRunner::Impl::on_group_gone(std::uint64_t token, WaitStatus status) {
  auto it = workers.find(token);
  if (it == workers.end()) return;
  if (drain && it->second.in_cgroup && !it->second.drained) {
    // Exited means empty: what the group cleanup cannot see is in the cgroup.
    it->second.drained = true;
    return drain->when_empty(token, cgroup_of(it->second),
                             [this, token, status] { on_group_gone(token, status); });
  }
  // Read when the exit is handled, not from an OOM notification, which may come after SIGCHLD.
  if (it->second.counts_oom && oom_kills(cgroup_of(it->second)) > it->second.oom_kills) status.oom = true;
  if (it->second.renew) cgroups->renew(it->second.path);
  // Every writer of the pipe is dead (unless one escaped the group), so after this the
  // log holds all the worker's output before `exited` is reported.
  if (auto capture = captures.find(it->second.capture_id); capture != captures.end())
    capture->second->drain();
  if (record) {
    record->removed(it->second.pid);
    if (it->second.escaped)
      for (const pid_t pgid : *it->second.escaped) record->removed(pgid);
  }
  workers.erase(it);
  queue.post([this, token, status] {
    if (callbacks.exited) callbacks.exited(token, status);
  });
}

void ProcessRunner::Impl::close() {
  if (closed) return;
  closed = true;
  queue.close();
  for (auto& [token, worker] : workers) {
    if (worker.readiness) worker.readiness->close();
    if (worker.watchdog) worker.watchdog->close();
  }
  if (drain) drain->close();
  workers.clear();
  captures.clear();  // flushes partial lines
  listen_sockets.close_all();
  // Nothing of a worker may outlive arbord: what escaped unseen (a daemon started by a
  // worker that never exited 0) is still our child, and goes now.
  if (const auto strays = reaper.kill_strays(); !strays.empty()) {
    spdlog::warn("killed processes {} that workers left running in other sessions", fmt::join(strays, " "));
  }
  reaper.close();
}

ProcessRunner::ProcessRunner(uv_loop_t* loop, RunnerOptions options, RunnerCallbacks callbacks)
    : impl_(std::make_unique<Impl>(loop, std::move(options), std::move(callbacks))) {
  if (impl_->cgroups)
    impl_->drain = std::make_unique<CgroupDrain>(loop, impl_->sys, impl_->cgroups->has_kill());
}

ProcessRunner::~ProcessRunner() { impl_->close(); }

void ProcessRunner::spawn(std::uint64_t token, const std::string& path, const config::WorkerSpec& spec) {
  impl_->spawn(token, path, spec);
}

void ProcessRunner::signal(std::uint64_t token, int signo) {
  // The worker's record lives until its group is gone, and the reaper refuses a reaped
  // leader, so the pgid here is never one the kernel could have given to someone else.
  auto it = impl_->workers.find(token);
  if (it == impl_->workers.end()) return;
  impl_->reaper.signal_group(it->second.pid, signo);
  // A stop's kill after its grace takes the whole cgroup, not only the group.
  if (signo == SIGKILL && impl_->drain && it->second.in_cgroup &&
      impl_->drain->kill(impl_->cgroup_of(it->second))) {
    it->second.renew = true;
  }
}

std::size_t ProcessRunner::live() const {
  return impl_->reaper.live() + (impl_->drain ? impl_->drain->waiting() : 0);
}

void ProcessRunner::release_listen(const std::string& path) { impl_->listen_sockets.release(path); }

std::size_t ProcessRunner::listening() const { return impl_->listen_sockets.size(); }

void ProcessRunner::close() { impl_->close(); }

void ProcessRunner::become_subreaper() { Reaper::become_subreaper(); }

}  // namespace arbor::host
