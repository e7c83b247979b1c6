#include "daemon/app/self_watchdog.h"

#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <cstring>

#include <spdlog/spdlog.h>

namespace arbor::app {

namespace {
std::optional<std::uint64_t> number(const char* text) {
  if (text == nullptr || *text == '\0') return std::nullopt;
  std::uint64_t n = 0;
  const char* end = text + std::strlen(text);
  const auto [at, ec] = std::from_chars(text, end, n);
  if (ec != std::errc() || at != end) return std::nullopt;
  return n;
}
}  // namespace

std::optional<std::uint64_t> watchdog_interval_ms(const char* usec, const char* pid, long self) {
  const auto us = number(usec);
  if (!us || *us == 0) return std::nullopt;
  if (pid != nullptr) {
    const auto p = number(pid);
    if (!p || *p != static_cast<std::uint64_t>(self)) return std::nullopt;  // meant for another process
  }
  return std::max<std::uint64_t>(1, *us / 1000);
}

SelfWatchdog::SelfWatchdog(uv_loop_t* loop, SdNotify& notify)
    : loop_(loop),
      notify_(notify),
      interval_ms_(
          watchdog_interval_ms(std::getenv("WATCHDOG_USEC"), std::getenv("WATCHDOG_PID"), getpid())) {}

void SelfWatchdog::start() {
  if (!interval_ms_ || !notify_.enabled() || timer_) return;
  timer_ = uv::UvHandle<uv_timer_t>::create(this, [this](uv_timer_t* h) { return uv_timer_init(loop_, h); });
  if (!timer_) return;
  const std::uint64_t half = std::max<std::uint64_t>(1, *interval_ms_ / 2);
  spdlog::info("systemd watchdog: WATCHDOG=1 every {} ms (WatchdogSec {} ms)", half, *interval_ms_);
  uv_timer_start(
      timer_.get(),
      [](uv_timer_t* h) {
        if (auto* self = static_cast<SelfWatchdog*>(h->data)) self->notify_.send("WATCHDOG=1");
      },
      0, half);
}

}  // namespace arbor::app
