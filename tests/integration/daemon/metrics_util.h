// Helpers of the metrics tests (metrics_test.cpp, metrics_scrape_test.cpp): raw HTTP over
// TCP on 127.0.0.1 (a request as bytes, the whole answer until the server closes), and the
// config of a tree with "metrics": {"listen"}.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "tests/integration/daemon/listen_util.h"

namespace arbor::testing::metrics_util {

using listen_util::free_port;
using nlohmann::json;

// A connected TCP socket to 127.0.0.1:port, or -1.
inline int connect_local(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  sa.sin_port = htons(static_cast<std::uint16_t>(port));
  if (connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Reads until the peer closes (true) or `timeout_ms` passes without a byte (false).
inline bool read_to_eof(int fd, std::string& out, int timeout_ms = 10000) {
  char buf[65536];
  pollfd p{fd, POLLIN, 0};
  while (poll(&p, 1, timeout_ms) == 1) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) return true;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return false;
}

// Sends `request` as is and returns everything the server answered before it closed
// ("" when the connection failed or nothing came within the timeout).
inline std::string http_exchange(int port, const std::string& request, int timeout_ms = 10000) {
  const int fd = connect_local(port);
  if (fd < 0) return "";
  std::string out;
  if (write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size()))
    read_to_eof(fd, out, timeout_ms);
  close(fd);
  return out;
}

inline std::string get(int port, const std::string& target) {
  return http_exchange(port, "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
}

// "HTTP/1.1 200 OK" of an answer.
inline std::string status_line(const std::string& answer) { return answer.substr(0, answer.find("\r\n")); }
inline std::string body(const std::string& answer) {
  const std::size_t end = answer.find("\r\n\r\n");
  return end == std::string::npos ? "" : answer.substr(end + 4);
}

// A tree of `children` with GET /metrics on 127.0.0.1:port.
inline json metrics_tree(json children, int port) {
  json t = listen_util::tree(std::move(children));
  t["metrics"] = {{"listen", listen_util::tcp(port)}};
  return t;
}

}  // namespace arbor::testing::metrics_util
