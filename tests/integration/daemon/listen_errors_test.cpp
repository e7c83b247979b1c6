// Held listening sockets on the real arbord, when things go wrong or change: a port in use,
// a stale or live unix socket, a missing directory, an address taken at run time, removal,
// a reload that changes listen, the same address twice in the file.
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

TEST(Listen, AddingAWorkerOnAnAddressInUseFailsItsStart) {
  ArbordInstance arbord;
  const int port = free_port();
  arbord.start(tree(json::array({python_server("a", json::array({{{"tcp", tcp(port)}}}))})));
  ASSERT_TRUE(arbord.await_ready());
  const auto reply = arbord.request(
      "add", {{"path", "/"}, {"spec", python_server("b", json::array({{{"tcp", tcp(port)}}}))}});
  ASSERT_TRUE(reply);
  EXPECT_EQ((*reply)["ok"], false);
  EXPECT_EQ((*reply)["error"]["code"], "start_failed");
  EXPECT_NE((*reply)["error"]["message"].get<std::string>().find(
                "listen tcp " + tcp(port) + ": bind: Address already in use (EADDRINUSE)"),
            std::string::npos)
      << reply->dump();
  EXPECT_EQ(ask_tcp(port).line, "a " + std::to_string(arbord.pid_of("a").value_or(0)));
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
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
