#include "daemon/app/app_daemon.h"

#include "daemon/app/app.h"

namespace arbor::app {

using control::Handle;

namespace {

// A libuv handle owned by a Handle. The handle's memory (and the callback in it) lives
// until libuv's close callback, so a Handle may be destroyed from its own callback.
template <typename UvHandle, typename Fn>
struct Box {
  UvHandle handle{};
  Fn fn;
};

template <typename B>
void close_box(B* box) {
  uv_close(reinterpret_cast<uv_handle_t*>(&box->handle),
           [](uv_handle_t* h) { delete static_cast<B*>(h->data); });
}

class TimerHandle final : public Handle {
 public:
  using B = Box<uv_timer_t, std::function<void()>>;
  TimerHandle(uv_loop_t* loop, core::Millis ms, std::function<void()> fn) : box_(new B{{}, std::move(fn)}) {
    uv_timer_init(loop, &box_->handle);
    box_->handle.data = box_;
    uv_timer_start(
        &box_->handle, [](uv_timer_t* t) { static_cast<B*>(t->data)->fn(); }, static_cast<std::uint64_t>(ms),
        0);
  }
  ~TimerHandle() override {
    uv_timer_stop(&box_->handle);
    close_box(box_);
  }

 private:
  B* box_;
};

class DirWatch final : public Handle {
 public:
  using B = Box<uv_fs_event_t, std::function<void(const std::string&)>>;
  DirWatch(uv_loop_t* loop, std::function<void(const std::string&)> fn) : box_(new B{{}, std::move(fn)}) {
    uv_fs_event_init(loop, &box_->handle);
    box_->handle.data = box_;
  }
  int start(const std::string& dir) {
    return uv_fs_event_start(
        &box_->handle,
        [](uv_fs_event_t* h, const char* name, int, int status) {
          if (status < 0) return;
          static_cast<B*>(h->data)->fn(name != nullptr ? name : "");
        },
        dir.c_str(), 0);
  }
  ~DirWatch() override {
    uv_fs_event_stop(&box_->handle);
    close_box(box_);
  }

 private:
  B* box_;
};

}  // namespace

core::SupervisorTree& AppDaemon::tree() { return app_.tree(); }
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

}  // namespace arbor::app
