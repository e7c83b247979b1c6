// Held listening sockets (docs/CONFIG.md "listen") on the real arbord: real clients of the
// protocol (libsystemd's sd_listen_fds(), Python on the environment, a program ignoring it),
// the fds a worker sees, no refused connection while the worker is killed again and again,
// the failures (port in use, a live unix socket, a missing directory), removal, reload, exit.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "tests/support/arbord_instance.h"
#include "tests/support/proc.h"

namespace arbor::testing {
namespace {

using nlohmann::json;

const char* const kPython = "/usr/bin/python3";

// A port nobody listens on now (the kernel's choice, released at once).
int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof sa;
  bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  close(fd);
  return ntohs(sa.sin_port);
}

// How one connection went: refused (or another connect error), answered, or lost (accepted
// and closed without an answer).
struct Answer {
  int connect_errno = 0;
  std::string line;  // without the newline; empty: lost
};

Answer read_answer(int fd) {
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

Answer ask_tcp(int port, bool ipv6 = false) {
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

Answer ask_unix(const std::string& path, bool wait_for_answer = true) {
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
int listen_unix(const std::string& path) {
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  std::strncpy(sa.sun_path, path.c_str(), sizeof sa.sun_path - 1);
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
  EXPECT_EQ(listen(fd, 8), 0);
  return fd;
}

json tree(json children) {
  return {{"root", {{"max_restarts", 100000}, {"max_seconds", 1}, {"children", std::move(children)}}}};
}

json python_server(const std::string& id, json listen) {
  return {{"id", id}, {"command", {kPython, ARBOR_LISTEN_SERVER_PY}}, {"listen", std::move(listen)}};
}

std::string tcp(int port) { return "127.0.0.1:" + std::to_string(port); }

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Waits until the worker's captured output holds `text`.
bool log_has(ArbordInstance& arbord, const std::string& id, const std::string& text) {
  return poll_until([&] { return slurp(arbord.path("logs/" + id + ".log")).find(text) != std::string::npos; },
                    5s);
}

TEST(Listen, PythonClientGetsTcpAndUnixSocketsByName) {
  ArbordInstance arbord;
  const int port = free_port();
  const std::string sock = arbord.path("web.sock");
  arbord.start(tree(json::array({python_server(
      "web", json::array({{{"tcp", tcp(port)}, {"name", "http"}}, {{"unix", sock}, {"mode", "0660"}}}))})));
  ASSERT_TRUE(arbord.await_ready());
  const auto pid = arbord.pid_of("web");
  ASSERT_TRUE(pid);
  EXPECT_EQ(ask_tcp(port).line, "http " + std::to_string(*pid));
  EXPECT_EQ(ask_unix(sock).line, "web " + std::to_string(*pid))
      << "an unnamed socket is named after the worker";
  struct stat st {};
  ASSERT_EQ(stat(sock.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0660u);
  EXPECT_TRUE(log_has(arbord, "web", "listen: fds=2 names=http,web pid=" + std::to_string(*pid)));
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_EQ(ask_tcp(port).connect_errno, ECONNREFUSED) << "closed at arbord's exit";
  EXPECT_NE(access(sock.c_str(), F_OK), 0) << "the socket file arbord made is removed at its exit";
  EXPECT_TRUE(arbord.no_survivors());
}

// The socket file belongs to the worker's user; the worker needs no access to its folder
// (the test's is 0700 root): it gets the socket as fd 3.
TEST(Listen, AUnixSocketBelongsToTheWorkersUser) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to run a worker as nobody";
  ArbordInstance arbord;
  const std::string sock = arbord.path("nobody.sock");
  json server = python_server("web", json::array({{{"unix", sock}, {"mode", "0600"}}}));
  server["user"] = "nobody";
  arbord.start(tree(json::array({server})));
  ASSERT_TRUE(arbord.await_ready());
  struct stat st {};
  ASSERT_EQ(stat(sock.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 65534u);
  EXPECT_EQ(st.st_gid, 65534u) << "nobody's primary group";
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(ask_unix(sock).line, "web " + std::to_string(arbord.pid_of("web").value_or(0)));
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_TRUE(arbord.no_survivors());
}

TEST(Listen, LibsystemdClientGetsItsSockets) {
#ifndef ARBOR_SD_LISTEN_CLIENT
  GTEST_SKIP() << "libsystemd-dev was not found at configure time (scripts/install-deps.sh installs it)";
#else
  ArbordInstance arbord;
  const int port = free_port();
  arbord.start(tree(json::array({{{"id", "sd"},
                                  {"command", {ARBOR_SD_LISTEN_CLIENT}},
                                  {"listen", json::array({{{"tcp", "[::1]:" + std::to_string(port)}},
                                                          {{"tcp", tcp(port)}, {"name", "v4"}}})}}})));
  ASSERT_TRUE(arbord.await_ready());
  const auto pid = arbord.pid_of("sd");
  ASSERT_TRUE(pid);
  EXPECT_EQ(ask_tcp(port, true).line, "sd " + std::to_string(*pid));
  EXPECT_EQ(ask_tcp(port).line, "v4 " + std::to_string(*pid));
  EXPECT_TRUE(log_has(arbord, "sd", "listen: fds=2 names=sd,v4 pid=" + std::to_string(*pid)))
      << "sd_listen_fds() takes the sockets only when LISTEN_PID is its own pid";
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_TRUE(arbord.no_survivors());
#endif
}

TEST(Listen, TheWorkerSeesFds3AndOnAndNoOtherWorkerSeesThem) {
  ArbordInstance arbord;
  const int port = free_port();
  const std::vector<std::string> show{"--list-fds",     "--print-env", "LISTEN_FDS", "--print-env",
                                      "LISTEN_FDNAMES", "--print-env", "LISTEN_PID"};
  // arbor_test_child knows nothing of the protocol: a program ignoring it runs all the same.
  arbord.start(
      tree(json::array({child("a", show,
                              {{"listen", json::array({{{"tcp", tcp(port)}},
                                                       {{"unix", arbord.path("a.sock")}, {"name", "x"}}})}}),
                        child("b", show)})));
  ASSERT_TRUE(arbord.await_ready());
  const auto pid = arbord.pid_of("a");
  ASSERT_TRUE(pid);
  EXPECT_TRUE(log_has(arbord, "a", "fds: 0 1 2 3 4\n"));
  EXPECT_TRUE(
      log_has(arbord, "a", "LISTEN_FDS=2\nLISTEN_FDNAMES=a:x\nLISTEN_PID=" + std::to_string(*pid) + "\n"));
  EXPECT_TRUE(log_has(arbord, "b", "fds: 0 1 2\nLISTEN_FDS unset\nLISTEN_FDNAMES unset\nLISTEN_PID unset\n"));
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_TRUE(arbord.no_survivors());
}

// The point of it all: while the worker is SIGKILLed again and again, a client connecting at
// any moment waits in the backlog arbord holds, and is answered by the next instance.
TEST(Listen, NoConnectionRefusedWhileTheWorkerIsKilledAgainAndAgain) {
  ArbordInstance arbord;
  const int port = free_port();
  arbord.start(tree(json::array({python_server("web", json::array({{{"tcp", tcp(port)}}}))})), {},
               Watch::none);
  ASSERT_TRUE(arbord.await_ready());
  int refused = 0;
  int lost = 0;
  std::set<std::string> pids;
  for (int i = 0; i < 300; ++i) {
    const Answer a = ask_tcp(port);
    if (a.connect_errno != 0) {
      ++refused;
      continue;
    }
    if (a.line.empty()) {
      ++lost;
      continue;
    }
    const std::string pid = a.line.substr(a.line.find(' ') + 1);
    pids.insert(pid);
    // Every 10th answer, kill the instance that gave it: the next connections come while
    // it is dead or starting again.
    if (i % 10 == 9) kill(std::stoi(pid), SIGKILL);
  }
  EXPECT_EQ(refused, 0);
  EXPECT_LE(lost, 3) << "a connection is lost only if an instance accepted it and died before answering";
  EXPECT_GE(pids.size(), 25u) << "the worker was restarted about 30 times";
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_TRUE(arbord.no_survivors());
}

TEST(Listen, APortInUseFailsTheBootNamingTheSocketAndErrno) {
  ArbordInstance arbord;
  const int port = free_port();
  const int busy = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<std::uint16_t>(port));
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(busy, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
  ASSERT_EQ(listen(busy, 8), 0);
  arbord.start(tree(json::array({python_server("web", json::array({{{"tcp", tcp(port)}}}))})), {},
               Watch::from_boot);
  arbord.await("boot failed: web could not start: listen tcp 127.0.0.1:" + std::to_string(port) +
               ": bind: Address already in use \\(EADDRINUSE\\)");
  EXPECT_EQ(arbord.wait_exit(), 1);
  close(busy);
  EXPECT_TRUE(arbord.no_survivors());
}

TEST(Listen, AStaleUnixSocketIsReplaced) {
  ArbordInstance arbord;
  const std::string sock = arbord.path("stale.sock");
  close(listen_unix(sock));  // the file stays, nobody listens: what a SIGKILLed arbord leaves
  arbord.start(tree(json::array({python_server("web", json::array({{{"unix", sock}}}))})));
  ASSERT_TRUE(arbord.await_ready());
  EXPECT_EQ(ask_unix(sock).line, "web " + std::to_string(arbord.pid_of("web").value_or(0)));
  arbord.await("replacing the stale socket file " + sock);
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_TRUE(arbord.no_survivors());
}

TEST(Listen, ALiveUnixSocketIsRefused) {
  ArbordInstance arbord;
  const std::string sock = arbord.path("live.sock");
  const int live = listen_unix(sock);
  arbord.start(tree(json::array({python_server("web", json::array({{{"unix", sock}}}))})), {},
               Watch::from_boot);
  arbord.await("boot failed: web could not start: listen unix " + sock +
               ": a process is listening on it: Address already in use \\(EADDRINUSE\\)");
  EXPECT_EQ(arbord.wait_exit(), 1);
  struct stat st {};
  EXPECT_EQ(stat(sock.c_str(), &st), 0) << "a live socket's file is left alone";
  close(live);
  EXPECT_TRUE(arbord.no_survivors());
}

TEST(Listen, AnUnwritablePathFailsTheStart) {
  ArbordInstance arbord;
  const std::string sock = arbord.path("no/such/dir/app.sock");
  arbord.start(tree(json::array({python_server("web", json::array({{{"unix", sock}}}))})), {},
               Watch::from_boot);
  arbord.await("boot failed: web could not start: listen unix " + sock +
               ": bind: No such file or directory \\(ENOENT\\)");
  EXPECT_EQ(arbord.wait_exit(), 1);
  EXPECT_TRUE(arbord.no_survivors());
}

TEST(Listen, ARemovedWorkerClosesItsSockets) {
  ArbordInstance arbord;
  const int port_a = free_port();
  const int port_b = free_port();
  const std::string sock = arbord.path("a.sock");
  arbord.start(tree(json::array({python_server("a", json::array({{{"tcp", tcp(port_a)}}, {{"unix", sock}}})),
                                 python_server("b", json::array({{{"tcp", tcp(port_b)}}}))})));
  ASSERT_TRUE(arbord.await_ready());
  ASSERT_FALSE(ask_tcp(port_a).line.empty());
  ASSERT_EQ(arbord.request("stop", {{"path", "a"}}).value_or(json{})["ok"], true);
  EXPECT_EQ(ask_unix(sock, false).connect_errno, 0) << "a stopped worker's sockets are still held";
  ASSERT_EQ(arbord.request("remove", {{"path", "a"}}).value_or(json{})["ok"], true);
  EXPECT_EQ(ask_tcp(port_a).connect_errno, ECONNREFUSED);
  EXPECT_NE(access(sock.c_str(), F_OK), 0);
  EXPECT_FALSE(ask_tcp(port_b).line.empty()) << "the other worker keeps its socket";
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_EQ(ask_tcp(port_b).connect_errno, ECONNREFUSED);
  EXPECT_TRUE(arbord.no_survivors());
}

TEST(Listen, AReloadChangingListenRestartsTheWorkerWithTheNewSockets) {
  ArbordInstance arbord;
  const int kept = free_port();
  const int old_port = free_port();
  const int new_port = free_port();
  json t = tree(
      json::array({python_server("web", json::array({{{"tcp", tcp(kept)}}, {{"tcp", tcp(old_port)}}}))}));
  arbord.start(t);
  ASSERT_TRUE(arbord.await_ready());
  const auto first = arbord.pid_of("web");
  ASSERT_TRUE(first);
  t["root"]["children"][0]["listen"] = json::array({{{"tcp", tcp(kept)}}, {{"tcp", tcp(new_port)}}});
  t["socket"] = arbord.path("arbord.sock");
  t["log_dir"] = arbord.path("logs");
  std::ofstream(arbord.path("arbor.json")) << t.dump(2);
  ASSERT_EQ(arbord.request("reload").value_or(json{})["ok"], true);
  const auto started = arbord.await_event({{"event", "started"}, {"path", "web"}});
  ASSERT_TRUE(started) << "a changed listen restarts the worker";
  const auto second = (*started)["pid"].get<pid_t>();
  EXPECT_NE(second, *first);
  EXPECT_EQ(ask_tcp(new_port).line, "web " + std::to_string(second));
  EXPECT_EQ(ask_tcp(kept).line, "web " + std::to_string(second));
  EXPECT_EQ(ask_tcp(old_port).connect_errno, ECONNREFUSED);
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_TRUE(arbord.no_survivors());
}

TEST(Listen, CheckReportsTheSameAddressTwice) {
  ArbordInstance arbord;
  const int port = free_port();
  arbord.start(
      tree(json::array({python_server("a", json::array({{{"tcp", tcp(port)}}})),
                        python_server("b", json::array({{{"tcp", "0.0.0.0:" + std::to_string(port)}}}))})));
  arbord.await("/root/children/1/listen/0/tcp: \"0.0.0.0:" + std::to_string(port) + "\" overlaps");
  EXPECT_EQ(arbord.wait_exit(), 2);
}

}  // namespace
}  // namespace arbor::testing
