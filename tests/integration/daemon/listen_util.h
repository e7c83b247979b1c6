// Helpers of the listen tests (listen_test.cpp, listen_errors_test.cpp): free ports,
// clients that connect and read one answer line, and the Python server's worker spec.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/arbord_instance.h"
#include "tests/support/proc.h"

namespace arbor::testing::listen_util {

using nlohmann::json;

inline const char* const kPython = "/usr/bin/python3";

// A port nobody listens on now (the kernel's choice, released at once).
inline int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof sa;
  if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) != 0) {
    sa.sin_port = 0;
  }
  close(fd);
  return ntohs(sa.sin_port);
}

// How one connection went: refused (or another connect error), answered, or lost (accepted
// and closed without an answer).
struct Answer {
  int connect_errno = 0;
  std::string line;  // without the newline; empty: lost
};

inline Answer read_answer(int fd) {
  Answer a;
  char buf[512];
  std::size_t got = 0;
  pollfd p{fd, POLLIN, 0};
  while (got < sizeof buf && poll(&p, 1, 5000) == 1) {
    const ssize_t n = read(fd, buf + got, sizeof buf - got);
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
    if (std::memchr(buf, '\n', got) != nullptr) break;
  }
  close(fd);
  const std::string text(buf, got);
  if (const auto nl = text.find('\n'); nl != std::string::npos) a.line = text.substr(0, nl);
  return a;
}

inline Answer ask_tcp(int port, bool ipv6 = false) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (ipv6) {
    auto& sa = reinterpret_cast<sockaddr_in6&>(ss);
    sa.sin6_family = AF_INET6;
    sa.sin6_port = htons(static_cast<std::uint16_t>(port));
    sa.sin6_addr = in6addr_loopback;
    len = sizeof sa;
  } else {
    auto& sa = reinterpret_cast<sockaddr_in&>(ss);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<std::uint16_t>(port));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    len = sizeof sa;
  }
  const int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (connect(fd, reinterpret_cast<sockaddr*>(&ss), len) < 0) {
    Answer a{errno, {}};
    close(fd);
    return a;
  }
  return read_answer(fd);
}

inline Answer ask_unix(const std::string& path, bool wait_for_answer = true) {
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  std::strncpy(sa.sun_path, path.c_str(), sizeof sa.sun_path - 1);
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0) {
    Answer a{errno, {}};
    close(fd);
    return a;
  }
  if (!wait_for_answer) {
    close(fd);
    return {};
  }
  return read_answer(fd);
}

// A listening socket of the test's own at `path` (a live one arbord must not replace).
inline int listen_unix(const std::string& path) {
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  std::strncpy(sa.sun_path, path.c_str(), sizeof sa.sun_path - 1);
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
  EXPECT_EQ(listen(fd, 8), 0);
  return fd;
}

inline json tree(json children) {
  return {{"root", {{"max_restarts", 100000}, {"max_seconds", 1}, {"children", std::move(children)}}}};
}

inline json python_server(const std::string& id, json listen) {
  return {{"id", id}, {"command", {kPython, ARBOR_LISTEN_SERVER_PY}}, {"listen", std::move(listen)}};
}

inline std::string tcp(int port) { return "127.0.0.1:" + std::to_string(port); }

inline std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Waits until the worker's captured output holds `text`.
inline bool log_has(ArbordInstance& arbord, const std::string& id, const std::string& text) {
  return poll_until([&] { return slurp(arbord.path("logs/" + id + ".log")).find(text) != std::string::npos; },
                    5s);
}

}  // namespace arbor::testing::listen_util
