#include "daemon/app/stderr_sink.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string_view>

#include <fmt/format.h>

namespace arbor::app {
namespace {

// spdlog's colour sink's choices, so a terminal looks as before.
std::string_view level_colour(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
      return "\033[37m";
    case spdlog::level::debug:
      return "\033[36m";
    case spdlog::level::info:
      return "\033[32m";
    case spdlog::level::warn:
      return "\033[33m\033[1m";
    case spdlog::level::err:
      return "\033[31m\033[1m";
    case spdlog::level::critical:
      return "\033[1m\033[41m";
    case spdlog::level::off:
    case spdlog::level::n_levels:
      break;
  }
  return {};
}

// NO_COLOR (no-color.org): any non-empty value turns colours off, even on a terminal.
bool colours_wanted() {
  const char* no_color = std::getenv("NO_COLOR");
  return ::isatty(2) == 1 && (no_color == nullptr || no_color[0] == '\0');
}

}  // namespace

StderrSink::StderrSink(std::size_t capacity) : colour_(colours_wanted()), capacity_(capacity) {
  struct stat st {};
  if (::fstat(2, &st) != 0) return;
  if (S_ISSOCK(st.st_mode)) {
    is_socket_ = true;  // send(MSG_DONTWAIT) per call: the shared description stays blocking
  } else if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) {
    // A description of our own: O_NONBLOCK on fd 2 itself would also make the writes of
    // workers that inherit it fail with EAGAIN.
    const int fd = ::open("/proc/self/fd/2", O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd >= 0) {
      fd_ = fd;
      own_fd_ = true;
    }
  }
}

StderrSink::~StderrSink() {
  detach();
  write_pending();  // a last try; what stderr does not take now is lost, never waited for
  if (own_fd_) ::close(fd_);
}

void StderrSink::attach(uv_loop_t* loop) {
  // The loop watches an epoll set holding stderr, not stderr itself: libuv would switch
  // the watched descriptor to O_NONBLOCK, which for a socket is the description shared
  // with the workers that inherit it.
  const int ep = ::epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) return;
  epoll_event ev{};
  ev.events = EPOLLOUT;
  if (::epoll_ctl(ep, EPOLL_CTL_ADD, fd_, &ev) != 0) {  // a regular file: never full
    ::close(ep);
    return;
  }
  poll_ = uv::UvHandle<uv_poll_t>::create(this, [&](uv_poll_t* h) { return uv_poll_init(loop, h, ep); });
  if (!poll_) {
    ::close(ep);
    return;
  }
  epoll_fd_ = ep;
  loop_ = loop;
  if (!pending_.empty()) watch_writable();
}

void StderrSink::detach() {
  if (!poll_) return;
  poll_.reset();
  loop_ = nullptr;
  ::close(epoll_fd_);
  epoll_fd_ = -1;
}

void StderrSink::sink_it_(const spdlog::details::log_msg& msg) {
  spdlog::memory_buf_t text;
  formatter_->format(msg, text);
  if (!pending_.empty() && write_pending() && dropped_ > reported_) report_drops();
  if (!pending_.empty() && pending_.size() + text.size() + 16 > capacity_) {
    ++dropped_;  // whole lines only: a line is in the buffer entirely or not at all
    return;
  }
  append_colored(msg, text);
  if (!write_pending()) watch_writable();
}

void StderrSink::append_colored(const spdlog::details::log_msg& msg, const spdlog::memory_buf_t& text) {
  const std::string_view all(text.data(), text.size());
  if (!colour_ || msg.color_range_end <= msg.color_range_start) {
    pending_.append(all);
    return;
  }
  pending_.append(all.substr(0, msg.color_range_start));
  pending_.append(level_colour(msg.level));
  pending_.append(all.substr(msg.color_range_start, msg.color_range_end - msg.color_range_start));
  pending_.append("\033[m");
  pending_.append(all.substr(msg.color_range_end));
}

bool StderrSink::write_pending() {
  std::size_t done = 0;
  while (done < pending_.size()) {
    const char* p = pending_.data() + done;
    const std::size_t n = pending_.size() - done;
    const ssize_t w = is_socket_ ? ::send(fd_, p, n, MSG_DONTWAIT | MSG_NOSIGNAL) : ::write(fd_, p, n);
    if (w > 0) {
      done += static_cast<std::size_t>(w);
    } else if (w < 0 && errno == EINTR) {
      continue;
    } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      break;
    } else {
      done = pending_.size();  // closed or broken: nobody will read it, so nothing to keep
    }
  }
  pending_.erase(0, done);
  return pending_.empty();
}

void StderrSink::report_drops() {
  const std::uint64_t lost = dropped_ - reported_;
  reported_ = dropped_;
  pending_.append(
      fmt::format("arbord: stderr was not writable: {} log line{} dropped\n", lost, lost == 1 ? "" : "s"));
  if (!write_pending()) watch_writable();
}

void StderrSink::watch_writable() {
  if (poll_) uv_poll_start(poll_.get(), UV_READABLE, on_writable);
}

void StderrSink::on_writable(uv_poll_t* handle, int /*status*/, int /*events*/) {
  auto* self = static_cast<StderrSink*>(handle->data);
  if (!self->write_pending()) return;
  uv_poll_stop(handle);  // drained: nothing wakes the loop until the next full stderr
  if (self->dropped_ > self->reported_) self->report_drops();
}

}  // namespace arbor::app
