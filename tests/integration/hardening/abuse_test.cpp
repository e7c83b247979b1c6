// Control-socket abuse (issue: hardening): many idle connections, a client that sends one
// byte at a time, garbage bytes and a 2 MiB line. In each case other clients are answered
// and supervision goes on (a crashing worker keeps being restarted).
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <random>

#include <gtest/gtest.h>

#include "tests/support/arbord_instance.h"
#include "tests/support/control.h"

namespace arbor::testing {
namespace {

using nlohmann::json;

int raw_connect(const std::string& path) {
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

class Abuse : public ::testing::Test {
 protected:
  void SetUp() override {
    arbord.start({{"root",
                   {{"max_restarts", 100000},
                    {"max_seconds", 1},
                    {"children", json::array({child("steady", {}),
                                              child("crasher", {"--after", "50", "--exit", "1"})})}}}},
                 // Not debug: a line per connection would fill the stderr pipe this test
                 // reads only when it awaits a line, and arbord's logging is synchronous.
                 {"--log-level", "info"});
    ASSERT_TRUE(arbord.await_ready());
    ASSERT_TRUE(control.connect(arbord.socket(), 0ms));
  }
  void TearDown() override {
    control.close();
    arbord.signal(SIGTERM);
    EXPECT_EQ(arbord.wait_exit(), 0);
    EXPECT_TRUE(arbord.no_survivors());
  }
  // Another client is answered, and the crasher is restarted again.
  void expect_service_goes_on() {
    Control other;
    ASSERT_TRUE(other.connect(arbord.socket(), 0ms));
    auto reply = other.call("status", {{"path", "steady"}});
    ASSERT_TRUE(reply) << "no answer to a well-behaved client";
    EXPECT_TRUE((*reply)["ok"].get<bool>()) << *reply;
    arbord.await_event({{"event", "started"}, {"path", "crasher"}});
    arbord.await_event({{"event", "started"}, {"path", "crasher"}});
  }

  ArbordInstance arbord;
  Control control;
};

TEST_F(Abuse, AThousandIdleConnections) {
  rlimit lim{};
  getrlimit(RLIMIT_NOFILE, &lim);
  if (lim.rlim_cur < 1200 && lim.rlim_max >= 1200) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
  if (lim.rlim_cur < 1200) GTEST_SKIP() << "needs 1200 descriptors";
  std::vector<int> idle;
  for (int i = 0; i < 1000; ++i) {
    const int fd = raw_connect(arbord.path("arbord.sock"));
    ASSERT_GE(fd, 0) << "connection " << i;
    idle.push_back(fd);
  }
  expect_service_goes_on();
  for (int fd : idle) close(fd);
}

TEST_F(Abuse, OneByteAtATime) {
  const int slow = raw_connect(arbord.path("arbord.sock"));
  ASSERT_GE(slow, 0);
  const std::string request = R"({"id": 1, "cmd": "status", "args": {"path": "/"}})";
  // A byte every 20 ms (the test cannot wait a second per byte): while the line is
  // incomplete arbord must keep serving others.
  for (std::size_t i = 0; i < 40 && i < request.size(); ++i) {
    ASSERT_EQ(write(slow, &request[i], 1), 1);
    if (i == 20) expect_service_goes_on();
    usleep(20000);  // pacing the slow client is the point of the test
  }
  close(slow);
}

TEST_F(Abuse, GarbageBytes) {
  const int bad = raw_connect(arbord.path("arbord.sock"));
  ASSERT_GE(bad, 0);
  std::mt19937 rng(42);
  std::string garbage(64 * 1024, '\0');
  for (char& c : garbage) c = static_cast<char>(rng());
  for (std::size_t i = 0; i < garbage.size(); i += 997) garbage[i] = '\n';
  ASSERT_EQ(write(bad, garbage.data(), garbage.size()), static_cast<ssize_t>(garbage.size()));
  expect_service_goes_on();
  close(bad);
}

TEST_F(Abuse, TwoMebibyteLine) {
  const int big = raw_connect(arbord.path("arbord.sock"));
  ASSERT_GE(big, 0);
  std::string line(2 * 1024 * 1024, 'x');
  line += "\n";
  std::size_t sent = 0;
  while (sent < line.size()) {
    const ssize_t n = send(big, line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // arbord closed it after the 1 MiB cap: expected
    sent += static_cast<std::size_t>(n);
  }
  // The reply is bad_request, then arbord closes the connection.
  std::string reply;
  char buf[4096];
  for (;;) {
    const ssize_t n = read(big, buf, sizeof buf);
    if (n <= 0) break;
    reply.append(buf, static_cast<std::size_t>(n));
  }
  EXPECT_NE(reply.find("bad_request"), std::string::npos) << reply;
  close(big);
  expect_service_goes_on();
}

}  // namespace
}  // namespace arbor::testing
