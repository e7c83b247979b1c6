#include "tests/support/control.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace arbor::testing {
namespace {
using Clock = std::chrono::steady_clock;
}  // namespace

Control::~Control() { close(); }

void Control::close() {
  client_.reset();
  replies_.clear();
  events_.clear();
  eof_ = false;
}

bool Control::connect(const std::string& socket, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    close();
    client_ = std::make_unique<ctl::Client>();
    if (client_->connect(socket).empty()) break;
    if (Clock::now() >= deadline) {
      close();
      return false;
    }
    // Only for callers that did not await arbord's readiness: nothing tells them when the
    // socket appears.
    std::this_thread::sleep_for(20ms);
  }
  const int flags = fcntl(client_->fd(), F_GETFL);
  fcntl(client_->fd(), F_SETFL, flags | O_NONBLOCK);
  return true;
}

int Control::send(const std::string& cmd, nlohmann::json args) {
  if (!client_ || eof_) return 0;
  const int id = next_id_++;
  if (!client_->send({{"id", id}, {"cmd", cmd}, {"args", std::move(args)}}).empty()) return 0;
  return id;
}

bool Control::drain() {
  if (!client_ || eof_) return false;
  static const std::string would_block = std::strerror(EAGAIN);
  for (;;) {
    std::string error;
    auto line = client_->read_line(error);
    if (!line) {
      if (error == would_block) return true;
      eof_ = true;  // EOF, or an error that ends the connection all the same
      return false;
    }
    auto j = nlohmann::json::parse(*line, nullptr, false);
    if (!j.is_object()) continue;
    // A reply carries the request's id; an event line of `watch` carries "event".
    if (j.contains("event") && !j.contains("ok")) {
      events_.push_back(std::move(j));
    } else {
      replies_.push_back(std::move(j));
    }
  }
}

std::optional<nlohmann::json> Control::take_reply(int id) {
  for (auto it = replies_.begin(); it != replies_.end(); ++it) {
    if (it->value("id", -1) == id) {
      auto reply = std::move(*it);
      replies_.erase(it);
      return reply;
    }
  }
  return std::nullopt;
}

std::optional<nlohmann::json> Control::take_event() {
  if (events_.empty()) return std::nullopt;
  auto e = std::move(events_.front());
  events_.pop_front();
  return e;
}

std::optional<nlohmann::json> Control::next(std::deque<nlohmann::json>& lines,
                                            std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const bool open = drain();
    if (!lines.empty()) {
      auto line = std::move(lines.front());
      lines.pop_front();
      return line;
    }
    if (!open || !wait_readable(deadline)) return std::nullopt;
  }
}

std::optional<nlohmann::json> Control::next_reply(std::chrono::milliseconds timeout) {
  return next(replies_, timeout);
}

std::optional<nlohmann::json> Control::next_event(std::chrono::milliseconds timeout) {
  return next(events_, timeout);
}

bool Control::send_raw(const std::string& text, std::chrono::milliseconds timeout) {
  if (!client_ || eof_) return false;
  const auto deadline = Clock::now() + timeout;
  for (std::size_t done = 0; done < text.size();) {
    const ssize_t n = ::send(fd(), text.data() + done, text.size() - done, MSG_NOSIGNAL);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n == 0 || errno != EAGAIN) return false;
    // The socket is non-blocking: wait (bounded) until arbord has read some.
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    pollfd p{fd(), POLLOUT, 0};
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) return false;
  }
  return true;
}

bool Control::wait_readable(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  if (left <= 0 || fd() < 0) return false;
  pollfd p{fd(), POLLIN, 0};
  return ::poll(&p, 1, static_cast<int>(left)) > 0;
}

std::optional<nlohmann::json> Control::call(const std::string& cmd, nlohmann::json args,
                                            std::chrono::milliseconds timeout) {
  const int id = send(cmd, std::move(args));
  if (id == 0) return std::nullopt;
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const bool open = drain();
    if (auto reply = take_reply(id)) return reply;
    if (!open || !wait_readable(deadline)) return std::nullopt;
  }
}

bool Control::watch(std::chrono::milliseconds timeout) {
  const auto reply = call("watch", nlohmann::json::object(), timeout);
  return reply && reply->value("ok", false);
}

}  // namespace arbor::testing
