// AppDaemon: arbord's App as the control commands see it (control::Daemon, the
// interface the control layer owns), with timers and directory watches on App's loop.
#pragma once

#include "daemon/control/daemon.h"

namespace arbor::app {

class App;

class AppDaemon final : public control::Daemon {
 public:
  explicit AppDaemon(App& app) : app_(app) {}

  core::SupervisorTree& tree() override;
  std::string state_file_error() const override;
  control::CgroupUsage cgroup_usage(const std::string& path, bool parent_unchanged) override;
  control::ProcessStats process_stats() override;
  core::Millis now() override;
  std::string wall_time(core::Millis instant) override;
  std::uint64_t subscribe(std::function<void(const events::StampedEvent&)> listener) override;
  void unsubscribe(std::uint64_t id) override;
  const events::EventBus& events() const override;
  std::string config_path() const override;
  const config::TreeSpec& tree_spec() const override;
  void request_shutdown(const char* why) override;
  void reload_started() override;
  void reload_finished() override;
  ReexecRefusal reexec(const std::string& binary, int client_fd, const nlohmann::json& id) override;
  std::unique_ptr<control::Handle> after(core::Millis ms, std::function<void()> fn) override;
  std::unique_ptr<control::Handle> watch_dir(const std::string& dir,
                                             std::function<void(const std::string& name)> fn,
                                             std::string& error) override;

 private:
  App& app_;
};

}  // namespace arbor::app
