// SelfWatchdog: arbord's side of systemd's watchdog (WatchdogSec= in the unit). When arbord
// is started with WATCHDOG_USEC (and WATCHDOG_PID unset or arbord's own pid, as
// sd_watchdog_enabled(3) reads them), a timer on the event loop sends WATCHDOG=1 every half
// interval, as systemd recommends. The timer is the loop's own, so a loop that hangs stops
// the pings and systemd restarts arbord (docs/OPERATIONS.md). Without the variables it
// arms nothing.
#pragma once

#include <uv.h>

#include <cstdint>
#include <optional>

#include "daemon/app/sd_notify.h"
#include "daemon/uv/uv_handle.h"

namespace arbor::app {

// The interval in ms that `usec` and `pid` ask for (the variables' values, null when unset),
// for a process `self`; nullopt when the watchdog is off or the values are not valid.
std::optional<std::uint64_t> watchdog_interval_ms(const char* usec, const char* pid, long self);

class SelfWatchdog {
 public:
  SelfWatchdog(uv_loop_t* loop, SdNotify& notify);
  // Starts the pings (one at once) if systemd asked for them.
  void start();
  void stop() { timer_.reset(); }
  std::optional<std::uint64_t> interval_ms() const { return interval_ms_; }

 private:
  uv_loop_t* loop_;
  SdNotify& notify_;
  std::optional<std::uint64_t> interval_ms_;
  uv::UvHandle<uv_timer_t> timer_;
};

}  // namespace arbor::app
