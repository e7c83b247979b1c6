// reexec's half in the process runner: the live workers and the descriptors that keep them
// (pidfd, output pipe, readiness channel, watchdog socket), handed to the program arbord
// execs, and taken over by it as if it had spawned them (docs/DESIGN.md, "In-place upgrade").
#include <utility>

#include "daemon/host/process_runner.h"
#include "daemon/host/process_runner_impl.h"

namespace arbor::host {

bool ProcessRunner::handover(std::vector<HandoverWorker>& out, std::vector<HandoverListen>& listen,
                             std::string& why) const {
  const Impl& impl = *impl_;
  if (impl.closed) {
    why = "arbord is stopping";
    return false;
  }
  if (!impl.queue.empty()) {
    why = "a process event is on its way";
    return false;
  }
  // A drain in progress (a cgroup awaited empty) is the "being cleaned up" below.
  if (impl.drain && impl.drain->waiting() > 0) {
    why = "a worker's cgroup is being emptied";
    return false;
  }
  if (!impl.reaper.quiet(why)) return false;
  std::size_t captured = 0;
  out.clear();
  out.reserve(impl.workers.size());
  for (const auto& [token, worker] : impl.workers) {
    if (worker.has_escaped() || worker.drained) {
      why = worker.path + " is being cleaned up";
      return false;
    }
    HandoverWorker h;
    h.token = token;
    h.path = worker.path;
    h.pid = worker.pid;
    if (worker.in_cgroup) h.cgroup = impl.cgroup_of(worker);
    h.cgroup_renew = worker.renew;
    if (worker.counts_oom) h.oom_kills = worker.oom_kills;
    h.pidfd = impl.reaper.pidfd(worker.pid);
    if (h.pidfd < 0) {
      why = worker.path + ": its process is not watched";
      return false;
    }
    if (auto capture = impl.captures.find(worker.capture_id); capture != impl.captures.end()) {
      if (capture->second->closed()) {
        why = worker.path + ": its output pipe is closing";
        return false;
      }
      h.log_fd = capture->second->fd();
      h.log_pending = capture->second->pending();
      ++captured;
    }
    if (worker.readiness && worker.readiness->fd() >= 0) {
      h.ready_fd = worker.readiness->kind() == config::Ready::Kind::fd;
      h.ready_channel = worker.readiness->fd();
      h.notify_name = worker.readiness->notify_socket();
    }
    if (worker.watchdog && worker.watchdog->fd() >= 0) {
      h.watchdog_channel = worker.watchdog->fd();
      h.watchdog_name = worker.watchdog->notify_socket();
    }
    out.push_back(std::move(h));
  }
  if (captured != impl.captures.size()) {
    why = "the output of an exited worker is still being read";
    return false;
  }
  listen.clear();
  impl.listen_sockets.handover(listen);
  return true;
}

void ProcessRunner::adopt(const std::vector<HandoverWorker>& workers,
                          const std::vector<HandoverListen>& listen,
                          const std::function<bool(const std::string& path)>& forwards_watchdog) {
  Impl& impl = *impl_;
  impl.listen_sockets.adopt(listen);
  for (const HandoverWorker& h : workers) {
    const std::uint64_t token = h.token;
    Impl::Worker& worker = impl.workers[token];
    worker.pid = h.pid;
    worker.path = h.path;
    // The cgroup by its node's path: the directory is the same (the instance is adopted,
    // not made again); nothing of it is held open between spawns (clone_into_cgroup.cpp).
    worker.in_cgroup = impl.cgroups != nullptr && !h.cgroup.empty();
    worker.renew = h.cgroup_renew && worker.in_cgroup;
    worker.counts_oom = worker.in_cgroup && h.oom_kills.has_value();
    worker.oom_kills = worker.counts_oom ? *h.oom_kills : 0;
    auto on_watchdog = [&impl, token](bool trigger) {
      impl.queue.post([&impl, token, trigger] {
        if (impl.callbacks.watchdog) impl.callbacks.watchdog(token, trigger);
      });
    };
    if (h.watchdog_channel >= 0) {
      worker.watchdog = Readiness::adopt(impl.loop, impl.sys, config::Ready::Kind::notify, h.watchdog_channel,
                                         h.watchdog_name);
      worker.watchdog->on_watchdog(on_watchdog);
      worker.watchdog->start(h.pid, {});
    }
    if (h.ready_channel >= 0) {
      const auto kind = h.ready_fd ? config::Ready::Kind::fd : config::Ready::Kind::notify;
      worker.readiness = Readiness::adopt(impl.loop, impl.sys, kind, h.ready_channel, h.notify_name);
      if (forwards_watchdog(h.path)) worker.readiness->on_watchdog(on_watchdog);
      auto on_ready = [&impl, token] {
        impl.queue.post([&impl, token] {
          if (impl.callbacks.ready) impl.callbacks.ready(token);
        });
      };
      auto on_status = [&impl, token](std::string text) {
        impl.queue.post([&impl, token, text = std::move(text)]() mutable {
          if (impl.callbacks.status_text) impl.callbacks.status_text(token, std::move(text));
        });
      };
      worker.readiness->start(h.pid, std::move(on_ready), std::move(on_status));
    }
    if (h.log_fd >= 0) {
      std::string error;
      auto log = impl.log_file_for(h.path, error, /*later=*/true);
      const std::uint64_t id = ++impl.next_capture_id;
      auto on_eof = [&impl, id] { impl.queue.post([&impl, id] { impl.captures.erase(id); }); };
      // Without its file (the log directory went away) the pipe is still read, so the
      // worker never blocks; the lines are dropped as a full disk's would be.
      auto capture =
          std::make_unique<LogCapture>(impl.loop, h.log_fd, std::move(log), std::move(on_eof), impl.sys);
      capture->set_pending(h.log_pending);
      impl.captures.emplace(id, std::move(capture));
      worker.capture_id = id;
    }
    impl.reaper.watch(token, h.pid, h.pidfd, worker.in_cgroup);
  }
  // A child that died while the old program was exec'ing raised a SIGCHLD nobody caught.
  impl.reaper.scan();
}

}  // namespace arbor::host
