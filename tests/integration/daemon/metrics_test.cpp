// `metrics` and GET /metrics on the real arbord (SPEC §11): the text passes `promtool check
// metrics`, the HTTP endpoint answers 200 / 404 / 405 / 400 / 431, and clients that send
// nothing or never read are bounded without stalling supervision.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <vector>

#include <gtest/gtest.h>

#include "tests/integration/daemon/metrics_util.h"

namespace arbor::testing {
namespace {

using namespace metrics_util;

constexpr const char* kPromtool = "/usr/bin/promtool";

bool has_promtool() { return access(kPromtool, X_OK) == 0; }

// promtool's verdict on `text`: its exit status and what it said.
RunResult promtool_check(const std::string& dir, const std::string& text) {
  const std::string file = dir + "/metrics.txt";
  std::ofstream(file) << text;
  return run({"/bin/sh", "-c", std::string(kPromtool) + " check metrics < " + file}, 30s);
}

TEST(Metrics, ArborctlMetricsPassesPromtool) {
  if (!has_promtool())
    GTEST_SKIP() << kPromtool << " is missing (Debian's prometheus package; install-deps.sh)";
  ArbordInstance arbord;
  arbord.start(listen_util::tree(
      json::array({child("a", {}),
                   child("b", {}),
                   {{"id", "sup"}, {"type", "supervisor"}, {"children", json::array({child("c", {})})}}})));
  ASSERT_TRUE(arbord.await_ready());
  const auto pid = arbord.pid_of("a");
  ASSERT_TRUE(pid);
  kill(*pid, SIGKILL);
  ASSERT_TRUE(arbord.await_event({{"event", "started"}, {"path", "a"}}));
  const RunResult out = arborctl(arbord.socket(), {"metrics"});
  ASSERT_EQ(out.status, 0) << out.err;
  EXPECT_NE(out.out.find("# TYPE arbor_restarts_total counter\n"), std::string::npos) << out.out;
  EXPECT_NE(out.out.find("arbor_restarts_total{path=\"a\"} 1\n"), std::string::npos) << out.out;
  EXPECT_NE(out.out.find("arbor_last_exit_code{path=\"a\"} 137\n"), std::string::npos);
  EXPECT_NE(out.out.find("arbor_state{path=\"sup/c\",state=\"running\"} 1\n"), std::string::npos);
  EXPECT_NE(out.out.find("arbor_events_total{event=\"exited\"} 1\n"), std::string::npos);
  EXPECT_NE(out.out.find("\nprocess_open_fds "), std::string::npos);
  EXPECT_NE(out.out.find("\nprocess_resident_memory_bytes "), std::string::npos);
  EXPECT_NE(out.out.find("\nprocess_start_time_seconds "), std::string::npos);
  const RunResult check = promtool_check(arbord.dir(), out.out);
  EXPECT_EQ(check.status, 0) << check.out << check.err;
  EXPECT_EQ(check.out + check.err, "") << "promtool found a problem";
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_TRUE(arbord.no_survivors());
}

TEST(Metrics, HttpEndpointAnswersOnlyGetMetrics) {
  ArbordInstance arbord;
  const int port = free_port();
  arbord.start(metrics_tree(json::array({child("a", {})}), port));
  ASSERT_TRUE(arbord.await_ready());
  const std::string ok = get(port, "/metrics");
  EXPECT_EQ(status_line(ok), "HTTP/1.1 200 OK") << ok;
  EXPECT_NE(ok.find("\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"), std::string::npos);
  EXPECT_NE(ok.find("\r\nConnection: close\r\n"), std::string::npos);
  EXPECT_NE(body(ok).find("arbor_up{path=\"a\"} 1\n"), std::string::npos) << ok;
  if (has_promtool()) {
    const RunResult check = promtool_check(arbord.dir(), body(ok));
    EXPECT_EQ(check.status, 0) << check.out << check.err;
  }
  EXPECT_EQ(status_line(get(port, "/metrics?x=1")), "HTTP/1.1 200 OK");
  EXPECT_EQ(status_line(get(port, "/")), "HTTP/1.1 404 Not Found");
  EXPECT_EQ(status_line(get(port, "/metrics/x")), "HTTP/1.1 404 Not Found");
  const std::string post = http_exchange(port, "POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(status_line(post), "HTTP/1.1 405 Method Not Allowed");
  EXPECT_NE(post.find("\r\nAllow: GET\r\n"), std::string::npos);
  EXPECT_EQ(status_line(http_exchange(port, "HEAD /metrics HTTP/1.1\r\n\r\n")),
            "HTTP/1.1 405 Method Not Allowed");
  EXPECT_EQ(status_line(http_exchange(port, "hello\r\n")), "HTTP/1.1 400 Bad Request");
  EXPECT_EQ(status_line(http_exchange(port, "GET /metrics HTTP/9\r\n\r\n")), "HTTP/1.1 400 Bad Request");
  EXPECT_EQ(status_line(http_exchange(port, std::string(9000, 'A'))),
            "HTTP/1.1 431 Request Header Fields Too Large");
  // Nothing of it has control powers, and the tree runs on.
  const auto status = arbord.request("status", {{"path", "a"}});
  ASSERT_TRUE(status);
  EXPECT_EQ((*status)["result"]["state"], "running");
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_TRUE(arbord.no_survivors());
}

TEST(Metrics, SilentAndNonReadingClientsAreBoundedAndSupervisionGoesOn) {
  ArbordInstance arbord;
  const int port = free_port();
  arbord.start(metrics_tree(json::array({child("a", {})}), port));
  ASSERT_TRUE(arbord.await_ready());
  // Clients that connect and send nothing: arbord serves at most 16 at once, and closes
  // the 17th and later at once.
  std::vector<int> held;
  for (int i = 0; i < 16; ++i) {
    const int fd = connect_local(port);
    ASSERT_GE(fd, 0);
    held.push_back(fd);
  }
  const int extra = connect_local(port);
  ASSERT_GE(extra, 0);
  std::string got;
  EXPECT_TRUE(read_to_eof(extra, got, 10000)) << "a 17th client is closed at once";
  EXPECT_EQ(got, "");
  close(extra);
  // Supervision and the control socket go on meanwhile.
  const auto pid = arbord.pid_of("a");
  ASSERT_TRUE(pid);
  kill(*pid, SIGKILL);
  ASSERT_TRUE(arbord.await_event({{"event", "started"}, {"path", "a"}}));
  const RunResult status = arborctl(arbord.socket(), {"status", "a"});
  EXPECT_EQ(status.status, 0) << status.err;
  // Each silent client is closed by its deadline (10 s from its accept), freeing the slots.
  for (int fd : held) {
    std::string nothing;
    EXPECT_TRUE(read_to_eof(fd, nothing, 30000)) << "a silent client is closed by its deadline";
    EXPECT_EQ(nothing, "");
    close(fd);
  }
  // A client that asks and never reads (a receive buffer as small as the kernel allows):
  // its answer waits in arbord's send queue at most until its deadline; others are served.
  const int never_reads = connect_local(port);
  ASSERT_GE(never_reads, 0);
  const int tiny = 1;
  setsockopt(never_reads, SOL_SOCKET, SO_RCVBUF, &tiny, sizeof tiny);
  const std::string ask = "GET /metrics HTTP/1.1\r\n\r\n";
  ASSERT_EQ(write(never_reads, ask.data(), ask.size()), static_cast<ssize_t>(ask.size()));
  EXPECT_EQ(status_line(get(port, "/metrics")), "HTTP/1.1 200 OK");
  EXPECT_EQ(arborctl(arbord.socket(), {"status", "a"}).status, 0);
  close(never_reads);
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_TRUE(arbord.no_survivors());
}

TEST(Metrics, AnAddressInUseFailsTheBootNamingIt) {
  const int port = free_port();
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  sa.sin_port = htons(static_cast<std::uint16_t>(port));
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  ArbordInstance arbord;
  arbord.start(metrics_tree(json::array({child("a", {})}), port));
  EXPECT_EQ(arbord.wait_exit(), 1);
  EXPECT_TRUE(arbord.await("metrics: cannot listen on tcp 127.0.0.1:" + std::to_string(port) +
                           ": address already in use"));
  close(fd);
  EXPECT_TRUE(arbord.no_survivors());
}

}  // namespace
}  // namespace arbor::testing
