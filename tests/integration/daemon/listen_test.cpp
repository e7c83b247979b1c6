// Held listening sockets (docs/CONFIG.md "listen") on the real arbord: real clients of the
// protocol (libsystemd's sd_listen_fds(), Python on the environment, a program ignoring it),
// the fds a worker sees, the owner of a unix socket, and no refused connection while the
// worker is killed again and again.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include "tests/integration/daemon/listen_util.h"

namespace arbor::testing {
namespace {

using namespace listen_util;

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

// Another worker's address at run time (add --spec: the file's check cannot see it) is a

// start failure, and the child is not added; the first worker keeps its socket.

}  // namespace
}  // namespace arbor::testing
