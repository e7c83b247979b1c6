// Held listening sockets in the runner: the same descriptors for every spawn of a path, a
// changed list reconciled, release by subtree, and the spawn with more sockets than the
// reserved slots (the full-copy path) still giving fds 3, 4, ... in order.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

#include "daemon/host/exec_env.h"
#include "daemon/host/listen_sockets.h"
#include "tests/unit/host/host_fixture.h"

namespace arbor::host::testing {
namespace {

config::Listen unix_listen(const std::string& path, const std::string& name = "") {
  config::Listen l;
  l.kind = config::Listen::Kind::unix_socket;
  l.address = path;
  l.name = name;
  return l;
}

// The socket's own address (which file it is bound to): what makes two descriptors "the same socket".
std::string bound_path(int fd) {
  sockaddr_un sa{};
  socklen_t len = sizeof sa;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) != 0) return "";
  return sa.sun_path;
}

bool connects(const std::string& path) {
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  std::strncpy(sa.sun_path, path.c_str(), sizeof sa.sun_path - 1);
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
  close(fd);
  return ok;
}

TEST_F(HostTest, ListenSocketsAreKeptByPathAndReconciled) {
  ListenSockets sockets(Sys::real());
  config::WorkerSpec spec;
  spec.listen = {unix_listen(dir_ + "/a.sock"), unix_listen(dir_ + "/b.sock")};
  std::vector<int> first, again;
  std::string error;
  ASSERT_TRUE(sockets.acquire("web/api", spec, first, error)) << error;
  ASSERT_EQ(first.size(), 2u);
  ASSERT_TRUE(sockets.acquire("web/api", spec, again, error)) << error;
  EXPECT_EQ(again, first) << "a restart gets the very same sockets";
  EXPECT_EQ(fcntl(first[0], F_GETFD) & FD_CLOEXEC, FD_CLOEXEC) << "never inherited by another exec";

  // b goes, c comes, a stays (the same descriptor, still listening).
  spec.listen = {unix_listen(dir_ + "/c.sock"), unix_listen(dir_ + "/a.sock", "renamed")};
  std::vector<int> changed;
  ASSERT_TRUE(sockets.acquire("web/api", spec, changed, error)) << error;
  ASSERT_EQ(changed.size(), 2u);
  EXPECT_EQ(changed[1], first[0]);
  EXPECT_EQ(bound_path(changed[0]), dir_ + "/c.sock");
  EXPECT_FALSE(connects(dir_ + "/b.sock"));
  EXPECT_NE(access((dir_ + "/b.sock").c_str(), F_OK), 0) << "the file arbord made is removed with it";
  EXPECT_EQ(sockets.size(), 2u);

  config::WorkerSpec other;
  other.listen = {unix_listen(dir_ + "/other.sock")};
  std::vector<int> other_fds;
  ASSERT_TRUE(sockets.acquire("web-2", other, other_fds, error)) << error;
  sockets.release("web");  // a supervisor "web" removed: web/api goes, web-2 stays
  EXPECT_FALSE(connects(dir_ + "/a.sock"));
  EXPECT_FALSE(connects(dir_ + "/c.sock"));
  EXPECT_TRUE(connects(dir_ + "/other.sock"));
  EXPECT_EQ(sockets.size(), 1u);
  spec.listen.clear();
  std::vector<int> none;
  EXPECT_TRUE(sockets.acquire("web-2", spec, none, error));
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(sockets.size(), 0u) << "a spawn without listen drops what the path held";
}

// A port nobody holds on `loopback` (bound to port 0 and let go), or 0 when the family is missing.
int unused_port(int family, const char* loopback) {
  const int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (family == AF_INET6) {
    auto& sa = reinterpret_cast<sockaddr_in6&>(ss);
    sa.sin6_family = AF_INET6;
    inet_pton(AF_INET6, loopback, &sa.sin6_addr);
    len = sizeof sa;
  } else {
    auto& sa = reinterpret_cast<sockaddr_in&>(ss);
    sa.sin_family = AF_INET;
    inet_pton(AF_INET, loopback, &sa.sin_addr);
    len = sizeof sa;
  }
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&ss), len) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) == 0)
    port = ntohs(family == AF_INET6 ? reinterpret_cast<sockaddr_in6&>(ss).sin6_port
                                    : reinterpret_cast<sockaddr_in&>(ss).sin_port);
  close(fd);
  return port;
}

// TCP on IPv4 and IPv6: the socket has the address's family, SO_REUSEADDR (so a held port is
// bound again at once after arbord's restart, whatever connections linger in TIME_WAIT), and
// it is listening: a client connects before any worker runs.
TEST_F(HostTest, TcpSocketsOnIpv4AndIpv6ListenWithReuseAddr) {
  const std::pair<int, const char*> families[] = {{AF_INET, "127.0.0.1"}, {AF_INET6, "::1"}};
  for (const auto& [family, loopback] : families) {
    const int port = unused_port(family, loopback);
    if (port == 0) {
      std::printf("[  SKIPPED ] no %s loopback on this machine\n", loopback);
      continue;
    }
    const std::string text =
        family == AF_INET6 ? fmt::format("[{}]:{}", loopback, port) : fmt::format("{}:{}", loopback, port);
    config::Listen l;
    l.kind = config::Listen::Kind::tcp;
    l.address = text;
    l.ipv6 = family == AF_INET6;
    l.port = static_cast<std::uint16_t>(port);
    inet_pton(family, loopback, l.ip.data());
    ListenSockets sockets(Sys::real());
    config::WorkerSpec spec;
    spec.listen = {l};
    std::vector<int> fds;
    std::string error;
    ASSERT_TRUE(sockets.acquire("web", spec, fds, error)) << error;
    ASSERT_EQ(fds.size(), 1u);
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    ASSERT_EQ(getsockname(fds[0], reinterpret_cast<sockaddr*>(&ss), &len), 0);
    EXPECT_EQ(ss.ss_family, family) << text;
    int reuse = 0, listening = 0;
    socklen_t optlen = sizeof reuse;
    ASSERT_EQ(getsockopt(fds[0], SOL_SOCKET, SO_REUSEADDR, &reuse, &optlen), 0);
    EXPECT_EQ(reuse, 1) << text;
    ASSERT_EQ(getsockopt(fds[0], SOL_SOCKET, SO_ACCEPTCONN, &listening, &optlen), 0);
    EXPECT_EQ(listening, 1) << text;
    const int client = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    EXPECT_EQ(connect(client, reinterpret_cast<sockaddr*>(&ss), len), 0)
        << text << ": " << std::strerror(errno);
    close(client);
  }
}

TEST_F(HostTest, ListenFailureNamesTheSocketAndKeepsWhatOpened) {
  ListenSockets sockets(Sys::real());
  config::WorkerSpec spec;
  spec.listen = {unix_listen(dir_ + "/ok.sock"), unix_listen(dir_ + "/missing/dir.sock")};
  std::vector<int> fds;
  std::string error;
  EXPECT_FALSE(sockets.acquire("w", spec, fds, error));
  EXPECT_EQ(error, "listen unix " + dir_ + "/missing/dir.sock: bind: No such file or directory (ENOENT)");
  EXPECT_TRUE(fds.empty());
  EXPECT_TRUE(connects(dir_ + "/ok.sock")) << "kept for the retry";
  EXPECT_EQ(sockets.size(), 1u);
}

TEST(ListenEnvironment, SystemdsVariablesWithRoomForThePid) {
  char parent_pid[] = "LISTEN_PID=1";  // arbord's own (it may run under systemd): never passed on
  char parent_fds[] = "LISTEN_FDS=9";
  char path[] = "PATH=/bin";
  char* parent[] = {parent_pid, parent_fds, path, nullptr};
  std::vector<std::pair<std::string, std::string>> overrides;
  add_listen_variables(overrides, 2, "api:admin");
  CStringArray env(build_environment(parent, overrides));
  EXPECT_EQ(env.strings(), (std::vector<std::string>{"PATH=/bin", "LISTEN_FDS=2", "LISTEN_FDNAMES=api:admin",
                                                     "LISTEN_PID=0000000000"}));
  char* entry = listen_pid_entry(env);
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry, env.data()[3]);
  CStringArray none(build_environment(parent, {}));
  EXPECT_EQ(listen_pid_entry(none), nullptr);
}

TEST_F(HostTest, ListenNamesDefaultToTheWorkersId) {
  EXPECT_EQ(listen_fd_names("web/api", {unix_listen("/a"), unix_listen("/b", "admin")}), "api:admin");
  EXPECT_EQ(listen_fd_names("db", {unix_listen("/a")}), "db");
}

// More sockets than the spawn's reserved slots: the child gets a copy of the whole table
// instead, and still sees exactly fds 3 ... 3 + n - 1 besides 0-2.
TEST_F(HostTest, ManyListenSocketsReachTheChildInOrder) {
  config::WorkerSpec spec =
      child({"--after", "0", "--list-fds", "--print-env", "LISTEN_FDS", "--print-env", "LISTEN_PID"});
  for (int i = 0; i < 20; ++i) spec.listen.push_back(unix_listen(dir_ + "/s" + std::to_string(i) + ".sock"));
  spawn(1, spec);
  const Event* end = wait_end(1);
  ASSERT_NE(end, nullptr);
  const Event* spawned = find(Event::Kind::spawned, 1);
  ASSERT_NE(spawned, nullptr);
  std::string fds = "fds: 0 1 2";
  for (int fd = 3; fd < 23; ++fd) fds += " " + std::to_string(fd);
  EXPECT_EQ(log_lines("w"),
            (std::vector<std::string>{fds, "LISTEN_FDS=20", "LISTEN_PID=" + std::to_string(spawned->pid)}));
}

TEST_F(HostTest, ListenSocketsReachTheChildThroughTheSlots) {
  config::WorkerSpec spec = child({"--after", "0", "--list-fds"});
  spec.listen = {unix_listen(dir_ + "/x.sock"), unix_listen(dir_ + "/y.sock")};
  spec.ready = {config::Ready::Kind::fd, 5, 30000};
  spec.command.insert(1, {"--ready-fd", "5"});
  spawn(1, spec);
  ASSERT_NE(wait_end(1), nullptr);
  EXPECT_EQ(log_lines("w"), (std::vector<std::string>{"fds: 0 1 2 3 4"}))
      << "the ready fd (5) was written and closed before --list-fds; the sockets are 3 and 4";
}

}  // namespace
}  // namespace arbor::host::testing
