#include "daemon/app/event_log.h"

#include <fmt/format.h>

#include "config/load.h"

namespace arbor::app {

std::string describe_exit(const core::ExitStatus& status) {
  return fmt::format("{}{}",
                     status.signaled ? fmt::format("signal {}", config::signal_name(status.value))
                                     : fmt::format("code {}", status.value),
                     status.oom ? " (killed by the OOM killer: its memory limit was reached)" : "");
}

std::string describe_event(const core::Event& e) {
  const std::string& path = e.path;
  switch (e.type) {
    case core::EventType::started:
      return e.pid ? fmt::format("{}: started, pid {}", path, *e.pid) : fmt::format("{}: started", path);
    case core::EventType::exited:
      if (!e.pid) return fmt::format("{}: exited ({})", path, core::to_string(e.reason));
      return fmt::format("{}: exited, pid {}, {}, reason {}", path, *e.pid,
                         e.exit ? describe_exit(*e.exit) : "?", core::to_string(e.reason)) +
             (e.health     ? " (health check)"
              : e.watchdog ? " (watchdog)"
                           : "");
    case core::EventType::start_failed:
      return fmt::format("{}: start failed: {}", path, e.error);
    case core::EventType::restarting:
      return e.delay_ms > 0 ? fmt::format("{}: restarting in {} ms", path, e.delay_ms)
                            : fmt::format("{}: restarting", path);
    case core::EventType::gave_up:
      return fmt::format("{}: gave up: restart intensity reached", path);
    case core::EventType::added:
      return fmt::format("{}: added", path);
    case core::EventType::removed:
      return fmt::format("{}: removed", path);
    case core::EventType::reloaded:
      return fmt::format("{}: reloaded", path);
    case core::EventType::log_dropped:
      return fmt::format("{}: {} bytes of output dropped (log file not writable)", path, e.bytes);
    case core::EventType::unhealthy:
      return fmt::format("{}: unhealthy after {} failed check{}: {}; stopping it", path, e.failures,
                         e.failures == 1 ? "" : "s", e.error);
    case core::EventType::command: {
      const char* name = e.command != nullptr ? e.command : "?";
      return e.uid ? fmt::format("{}: command {} by uid {}", path, name, *e.uid)
                   : fmt::format("{}: command {}", path, name);
    }
  }
  return path;
}

}  // namespace arbor::app
