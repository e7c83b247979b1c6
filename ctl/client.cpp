#include "ctl/client.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "daemon/protocol/wire.h"

namespace arbor::ctl {

Client::~Client() {
  if (fd_ >= 0) ::close(fd_);
}

std::string Client::connect(const std::string& path) {
  sockaddr_un addr{};
  if (path.size() >= sizeof addr.sun_path) return "path too long for a Unix socket";
  fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return std::strerror(errno);
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) return std::strerror(errno);
  return "";
}

std::string Client::send(const nlohmann::json& request) {
  const std::string line = protocol::encode_line(request);
  std::size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::send(fd_, line.data() + done, line.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::strerror(errno);
    done += static_cast<std::size_t>(n);
  }
  return "";
}

std::optional<std::string> Client::read_line(std::string& error) {
  char buf[65536];
  for (;;) {
    if (auto line = reader_.next()) return line;
    if (reader_.overflowed()) {
      error = "reply line too long";
      return std::nullopt;
    }
    const ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = std::strerror(errno);
      return std::nullopt;
    }
    if (n == 0) return std::nullopt;
    reader_.feed(std::string_view(buf, static_cast<std::size_t>(n)));
  }
}

}  // namespace arbor::ctl
