// AppDaemon: the control commands' view of arbord's App, with timers and directory
// watches on App's libuv loop.
#pragma once

#include "daemon/app/app.h"
#include "daemon/control/daemon.h"

namespace arbor::control {

class AppDaemon final : public Daemon {
 public:
  explicit AppDaemon(app::App& app) : app_(app) {}

  core::SupervisorTree& tree() override { return app_.tree(); }
  core::Millis now() override { return app_.now(); }
  std::string wall_time(core::Millis instant) override;
  std::uint64_t subscribe(std::function<void(const app::StampedEvent&)> listener) override;
  void unsubscribe(std::uint64_t id) override;
  std::string config_path() const override { return app_.options().config_path; }
  const config::TreeSpec& tree_spec() const override { return app_.options().tree; }
  void request_shutdown(const char* why) override { app_.request_shutdown(why); }
  void reload_started() override { app_.notify_reloading(); }
  void reload_finished() override { app_.notify_reloaded(); }
  std::unique_ptr<Handle> after(core::Millis ms, std::function<void()> fn) override;
  std::unique_ptr<Handle> watch_dir(const std::string& dir, std::function<void(const std::string& name)> fn,
                                    std::string& error) override;

 private:
  app::App& app_;
};

}  // namespace arbor::control
