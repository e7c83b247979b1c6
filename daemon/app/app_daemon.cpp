#include "daemon/app/app_daemon.h"

#include "daemon/app/app.h"
#include "daemon/host/self_stats.h"
#include "daemon/uv/uv_handle.h"

namespace arbor::app {

using control::Handle;

namespace {

// A Handle may be destroyed from its own callback (a `wait` that ends, a watch the
// client drops), so the callback runs a copy of the function, never the member that
// the destruction frees; the handle itself outlives the callback (uv::UvHandle).

class TimerHandle final : public Handle {
 public:
  TimerHandle(uv_loop_t* loop, core::Millis ms, std::function<void()> fn) : fn_(std::move(fn)) {
    timer_ = uv::UvHandle<uv_timer_t>::create(this, [loop](uv_timer_t* t) { return uv_timer_init(loop, t); });
    if (!timer_) return;
    uv_timer_start(
        timer_.get(),
        [](uv_timer_t* t) {
          auto fn = std::move(static_cast<TimerHandle*>(t->data)->fn_);  // fires once
          fn();
        },
        static_cast<std::uint64_t>(ms), 0);
  }
  // Closing the timer (uv::UvHandle's destruction) also stops it.

 private:
  std::function<void()> fn_;
  uv::UvHandle<uv_timer_t> timer_;  // data: this
};

class DirWatch final : public Handle {
 public:
  DirWatch(uv_loop_t* loop, std::function<void(const std::string&)> fn) : fn_(std::move(fn)) {
    watch_ = uv::UvHandle<uv_fs_event_t>::create(
        this, [loop](uv_fs_event_t* h) { return uv_fs_event_init(loop, h); });
  }
  int start(const std::string& dir) {
    if (!watch_) return UV_ENOMEM;
    return uv_fs_event_start(
        watch_.get(),
        [](uv_fs_event_t* h, const char* name, int, int status) {
          if (status < 0) return;
          auto fn = static_cast<DirWatch*>(h->data)->fn_;
          fn(name != nullptr ? name : "");
        },
        dir.c_str(), 0);
  }
  // Closing the watch (uv::UvHandle's destruction) also stops it.

 private:
  std::function<void(const std::string&)> fn_;
  uv::UvHandle<uv_fs_event_t> watch_;  // data: this
};

}  // namespace

core::SupervisorTree& AppDaemon::tree() { return app_.tree(); }

std::string AppDaemon::state_file_error() const { return app_.state_file_error(); }

control::CgroupUsage AppDaemon::cgroup_usage(const std::string& path, bool parent_unchanged) {
  return app_.cgroup_usage(path, parent_unchanged);
}
control::ProcessStats AppDaemon::process_stats() {
  const host::SelfStats s = host::read_self_stats(host::Sys::real());
  return {s.resident_bytes, s.open_fds, s.start_time_seconds};
}
core::Millis AppDaemon::now() { return app_.now(); }
std::string AppDaemon::config_path() const { return app_.options().config_path; }
const config::TreeSpec& AppDaemon::tree_spec() const { return app_.options().tree; }
void AppDaemon::request_shutdown(const char* why) { app_.request_shutdown(why); }
void AppDaemon::reload_started() { app_.notify_reloading(); }
void AppDaemon::reload_finished() { app_.notify_reloaded(); }

std::string AppDaemon::wall_time(core::Millis instant) {
  return events::rfc3339_from_monotonic(instant, app_.now());
}

std::uint64_t AppDaemon::subscribe(std::function<void(const events::StampedEvent&)> listener) {
  return app_.events().subscribe(std::move(listener));
}

void AppDaemon::unsubscribe(std::uint64_t id) { app_.events().unsubscribe(id); }

const events::EventBus& AppDaemon::events() const { return app_.events(); }

std::unique_ptr<Handle> AppDaemon::after(core::Millis ms, std::function<void()> fn) {
  return std::make_unique<TimerHandle>(app_.loop(), ms, std::move(fn));
}

std::unique_ptr<Handle> AppDaemon::watch_dir(const std::string& dir,
                                             std::function<void(const std::string&)> fn, std::string& error) {
  auto watch = std::make_unique<DirWatch>(app_.loop(), std::move(fn));
  if (const int rc = watch->start(dir); rc != 0) {
    error = uv_strerror(rc);
    return nullptr;
  }
  return watch;
}

control::Daemon::ReexecRefusal AppDaemon::reexec(const std::string& binary, int client_fd,
                                                 const nlohmann::json& id) {
  return app_.reexec(binary, client_fd, id);
}

}  // namespace arbor::app
