// A real Prometheus server (Debian's `prometheus`) scrapes arbord's GET /metrics every
// second; the test reads the scraped values back through Prometheus' HTTP API after a
// worker was restarted (SPEC §11).
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include <gtest/gtest.h>

#include "tests/integration/daemon/metrics_util.h"

namespace arbor::testing {
namespace {

using namespace metrics_util;

constexpr const char* kPrometheus = "/usr/bin/prometheus";

// A Prometheus server on 127.0.0.1:port scraping `target` every second, stopped (and
// reaped) with the object.
class PrometheusServer {
 public:
  PrometheusServer(const std::string& dir, int port, const std::string& target) : port_(port) {
    const std::string config = dir + "/prometheus.yml";
    std::ofstream(config) << "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                          << "scrape_configs:\n  - job_name: arbor\n    static_configs:\n"
                          << "      - targets: ['" << target << "']\n";
    const std::string log = dir + "/prometheus.log";
    const std::vector<std::string> args = {kPrometheus, "--config.file=" + config,
                                           "--storage.tsdb.path=" + dir + "/tsdb",
                                           "--web.listen-address=127.0.0.1:" + std::to_string(port)};
    pid_ = fork();
    if (pid_ == 0) {
      const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
      }
      std::vector<char*> argv;
      argv.reserve(args.size() + 1);
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(kPrometheus, argv.data());
      _exit(127);
    }
  }
  ~PrometheusServer() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    if (!poll_until([this] { return waitpid(pid_, nullptr, WNOHANG) == pid_; }, 20s)) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  PrometheusServer(const PrometheusServer&) = delete;
  PrometheusServer& operator=(const PrometheusServer&) = delete;

  // The value of an instant query's single sample ("1"), or "" (no answer yet, no sample).
  std::string query(const std::string& url_encoded) const {
    const std::string answer = http_exchange(port_,
                                             "GET /api/v1/query?query=" + url_encoded +
                                                 " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
                                             5000);
    const json reply = json::parse(body(answer), nullptr, false);
    if (reply.is_discarded() || reply.value("status", "") != "success") return "";
    const json& result = reply["data"]["result"];
    if (!result.is_array() || result.size() != 1) return "";
    return result[0]["value"][1].get<std::string>();
  }

  // Waits (bounded) until the query's value is `want`; returns the last value seen.
  std::string await_value(const std::string& url_encoded, const std::string& want) const {
    std::string last;
    poll_until(
        [&] {
          last = query(url_encoded);
          return last == want;
        },
        120s);
    return last;
  }

 private:
  int port_;
  pid_t pid_ = -1;
};

TEST(MetricsScrape, PrometheusScrapesRestartsFromArbord) {
  if (access(kPrometheus, X_OK) != 0)
    GTEST_SKIP() << kPrometheus << " is missing (Debian's prometheus package; scripts/install-deps.sh)";
  ArbordInstance arbord;
  const int metrics_port = free_port();
  arbord.start(metrics_tree(json::array({child("a", {}), child("b", {})}), metrics_port));
  ASSERT_TRUE(arbord.await_ready());
  const int prometheus_port = free_port();
  {
    PrometheusServer prometheus(arbord.dir(), prometheus_port, "127.0.0.1:" + std::to_string(metrics_port));
    // The target is up and has been scraped once: a restart now shows in a later scrape.
    EXPECT_EQ(prometheus.await_value("up%7Bjob%3D%22arbor%22%7D", "1"), "1")
        << "Prometheus never scraped arbord; its log is " << arbord.dir() << "/prometheus.log";
    EXPECT_EQ(prometheus.await_value("arbor_restarts_total%7Bpath%3D%22a%22%7D", "0"), "0");
    const auto pid = arbord.pid_of("a");
    ASSERT_TRUE(pid);
    kill(*pid, SIGKILL);
    ASSERT_TRUE(arbord.await_event({{"event", "started"}, {"path", "a"}}));
    EXPECT_EQ(prometheus.await_value("arbor_restarts_total%7Bpath%3D%22a%22%7D", "1"), "1");
    EXPECT_EQ(prometheus.await_value("arbor_last_exit_code%7Bpath%3D%22a%22%7D", "137"), "137");
    EXPECT_EQ(prometheus.await_value("arbor_up%7Bpath%3D%22b%22%7D", "1"), "1");
    EXPECT_EQ(prometheus.await_value("arbor_state%7Bpath%3D%22a%22%2Cstate%3D%22running%22%7D", "1"), "1");
    EXPECT_EQ(prometheus.await_value("arbor_events_total%7Bevent%3D%22exited%22%7D", "1"), "1");
  }
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_TRUE(arbord.no_survivors());
}

}  // namespace
}  // namespace arbor::testing
