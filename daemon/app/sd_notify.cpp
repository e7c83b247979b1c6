#include "daemon/app/sd_notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>

#include <spdlog/spdlog.h>

namespace arbor::app {

SdNotify::SdNotify() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  if (socket != nullptr && (socket[0] == '/' || socket[0] == '@') &&
      std::strlen(socket) < sizeof(sockaddr_un::sun_path)) {
    address_ = socket;
  }
}

int SdNotify::try_send(const std::string& state) const {
  const int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, address_.data(), address_.size());
  if (address_[0] == '@') addr.sun_path[0] = '\0';  // abstract namespace
  const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + address_.size());
  const int flags = MSG_NOSIGNAL | MSG_DONTWAIT;
  const ssize_t n = sendto(fd, state.data(), state.size(), flags, reinterpret_cast<sockaddr*>(&addr), len);
  const int err = n < 0 ? errno : 0;
  close(fd);
  return err;
}

void SdNotify::send(const std::string& state) {
  if (address_.empty()) return;
  const bool ping = state == "WATCHDOG=1";
  if (!ping && !pending_.empty()) {  // keep the order: this one after the kept one
    pending_ = state;
    return;
  }
  const int err = try_send(state);
  if (err == 0) return drained();
  if (err != EAGAIN) return;
  full();
  if (ping) {
    ++dropped_;
    return;
  }
  pending_ = state;
  if (loop_ == nullptr || retry_) return;
  retry_ = uv::UvHandle<uv_timer_t>::create(this, [this](uv_timer_t* h) { return uv_timer_init(loop_, h); });
  if (!retry_) return;
  uv_timer_start(
      retry_.get(),
      [](uv_timer_t* h) {
        if (auto* self = static_cast<SdNotify*>(h->data)) self->retry();
      },
      kRetryMs, kRetryMs);
  uv_unref(retry_.base());  // arbord may end with it pending: systemd sees the exit anyway
}

void SdNotify::retry() {
  if (pending_.empty() || try_send(pending_) == EAGAIN) return;
  pending_.clear();
  retry_.reset();
  drained();
}

void SdNotify::full() {
  if (full_) return;
  full_ = true;
  spdlog::warn(
      "systemd's notify socket {} is full (nothing reads it): supervision goes on; WATCHDOG=1 pings are "
      "dropped and the last state is sent again when it drains",
      address_);
}

void SdNotify::drained() {
  if (!full_) return;
  full_ = false;
  spdlog::info("systemd's notify socket drains again ({} WATCHDOG=1 pings dropped in all)", dropped_);
}

void SdNotify::detach() {
  retry_.reset();
  loop_ = nullptr;
}

}  // namespace arbor::app
