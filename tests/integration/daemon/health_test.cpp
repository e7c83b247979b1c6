// Health on the real arbord: probes against real servers (a Python HTTP server that hangs,
// a TCP listener, exec probes), readiness by probe, and the watchdog with a real sd_notify
// client (Python's socket module), and arbord's own watchdog towards systemd.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <iomanip>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "tests/support/arbord_instance.h"
#include "tests/support/proc.h"

namespace arbor::testing {
namespace {

using nlohmann::json;

json tree(json children, const std::string& strategy = "one_for_one") {
  return {
      {"root", {{"strategy", strategy}, {"max_restarts", 20}, {"max_seconds", 60}, {"children", children}}}};
}

json event(const std::string& type, const std::string& path) { return {{"event", type}, {"path", path}}; }

// A port nothing listens on now (the kernel's pick for a socket bound and closed again).
int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) ADD_FAILURE() << "bind: " << errno;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

std::string python() { return access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3"; }

std::string write_script(const ArbordInstance& arbord, const std::string& name, const std::string& text) {
  std::string file = arbord.path(name);
  std::ofstream(file) << text;
  return file;
}

// Answers GET with 200 `answers` times, then hangs in the next request (alive, listening,
// never answering), as a deadlocked service does.
constexpr const char* kHangingServer = R"(import http.server, sys, time
port, answers = int(sys.argv[1]), int(sys.argv[2])
count = 0
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        global count
        count += 1
        if count > answers:
            time.sleep(3600)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", port), Handler).serve_forever()
)";

// A real sd_notify client: WATCHDOG=trigger on its first run (no marker file yet); on the
// next, WATCHDOG=1 every 50 ms for two seconds (over three intervals of 600 ms), then exit 0.
constexpr const char* kWatchdogClient = R"(import os, socket, sys, time
first = not os.path.exists(sys.argv[1])
open(sys.argv[1], "a").close()
addr = os.environ["NOTIFY_SOCKET"]
if addr.startswith("@"):
    addr = "\0" + addr[1:]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
if first:
    s.sendto(b"WATCHDOG=trigger", addr)
    time.sleep(3600)
for _ in range(40):
    s.sendto(b"WATCHDOG=1", addr)
    time.sleep(0.05)
)";

// Microseconds since the epoch of an event's RFC 3339 "time" (UTC, microseconds).
long long micros(const json& e) {
  std::tm tm{};
  const std::string t = e["time"].get<std::string>();
  std::istringstream in(t);
  in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
  const long long us = std::stoll(t.substr(20, 6));
  return static_cast<long long>(timegm(&tm)) * 1000000 + us;
}

void stop(ArbordInstance& arbord) {
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_TRUE(arbord.no_survivors());
}

TEST(Health, HungHttpWorkerIsStoppedAndRestartedWithItsRestForOneSibling) {
  ArbordInstance arbord;
  const int port = free_port();
  const std::string script = write_script(arbord, "server.py", kHangingServer);
  const std::string addr = "127.0.0.1:" + std::to_string(port);
  json web = {
      {"id", "web"},
      {"command", {python(), script, std::to_string(port), "2"}},
      {"ready", {{"tcp", addr}, {"interval", 50}, {"timeout", 10000}}},
      {"health",
       {{"http", "http://" + addr + "/healthz"}, {"interval", 200}, {"timeout", 300}, {"failures", 2}}}};
  arbord.start(tree(json::array({web, child("after", {})}), "rest_for_one"));
  ASSERT_TRUE(arbord.await_ready());
  // Two answers, then the third GET hangs; two timeouts in a row make it unhealthy.
  auto sick = arbord.await_event(event("unhealthy", "web"), 10s);
  ASSERT_TRUE(sick);
  EXPECT_EQ((*sick)["failures"], 2);
  EXPECT_EQ((*sick)["error"], "GET /healthz: timed out after 300 ms");
  auto exit =
      arbord.await_event({{"event", "exited"}, {"path", "web"}, {"reason", "abnormal"}, {"health", true}});
  ASSERT_TRUE(exit);
  EXPECT_EQ((*exit)["exit"], json({{"signal", "TERM"}}));
  // rest_for_one: the sibling after it goes too, and both come back in order.
  EXPECT_TRUE(arbord.await_event({{"event", "exited"}, {"path", "after"}, {"reason", "shutdown"}}));
  EXPECT_TRUE(arbord.await_event(event("started", "web")));
  EXPECT_TRUE(arbord.await_event(event("started", "after")));
  auto status = arbord.request("status", {{"path", "web"}});
  ASSERT_TRUE(status);
  EXPECT_EQ((*status)["result"]["restarts"], 1);
  EXPECT_TRUE((*status)["result"]["health"] == "starting" || (*status)["result"]["health"] == "healthy");
  stop(arbord);
}

TEST(Health, TcpReadinessGatesTheNextStart) {
  ArbordInstance arbord;
  const int port = free_port();
  const std::string addr = "127.0.0.1:" + std::to_string(port);
  // The listener comes up 300 ms late; `client` connects once and exits 0 (1 if refused).
  const std::string listen =
      "import socket, time; time.sleep(0.3); s = socket.socket(); s.setsockopt("
      "socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', " +
      std::to_string(port) + ")); s.listen(); time.sleep(3600)";
  const std::string connect =
      "import socket; socket.create_connection(('127.0.0.1', " + std::to_string(port) + ")).close()";
  arbord.start(tree(json::array(
                   {{{"id", "db"},
                     {"command", {python(), "-c", listen}},
                     {"ready", {{"tcp", addr}, {"interval", 50}}}},
                    {{"id", "client"}, {"command", {python(), "-c", connect}}, {"restart", "temporary"}}})),
               {}, Watch::from_boot);
  EXPECT_TRUE(arbord.await_event(event("started", "db")));
  EXPECT_TRUE(arbord.await_event(event("started", "client")));
  EXPECT_TRUE(arbord.await_event({{"event", "exited"}, {"path", "client"}, {"exit", {{"code", 0}}}}));
  stop(arbord);
}

TEST(Health, ReadinessProbeThatNeverPassesFailsTheStartAtItsTimeout) {
  ArbordInstance arbord;
  const std::string addr = "127.0.0.1:" + std::to_string(free_port());
  arbord.start(
      tree(json::array({child("mute", {}, {{"ready", {{"tcp", addr}, {"interval", 50}, {"timeout", 400}}}}),
                        child("next", {})})),
      {}, Watch::from_boot);
  arbord.await(R"(boot failed: mute could not start: ready: timed out after 400 ms)");
  EXPECT_EQ(arbord.wait_exit(), 1);
  EXPECT_TRUE(arbord.events_matching(event("started", "next")).empty());
  EXPECT_TRUE(arbord.no_survivors());
}

TEST(Health, HungExecProbeIsKilledAtItsTimeoutAndReaped) {
  ArbordInstance arbord;
  const std::string record = arbord.path("probe.record");
  json w = child("w", {},
                 {{"health",
                   {{"exec", {test_child(), "--record", record}},
                    {"interval", 100},
                    {"timeout", 300},
                    {"failures", 1}}}});
  arbord.start(tree(json::array({w})));
  ASSERT_TRUE(arbord.await_ready());
  auto sick = arbord.await_event(event("unhealthy", "w"));
  ASSERT_TRUE(sick);
  EXPECT_EQ((*sick)["error"], "exec: timed out after 300 ms");
  // The probe ran as a process of its own; it is gone (killed and reaped, no zombie).
  std::ifstream in(record);
  std::string word;
  pid_t probe_pid = 0;
  in >> word >> probe_pid;
  ASSERT_EQ(word, "start");
  ASSERT_GT(probe_pid, 0);
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (access(("/proc/" + std::to_string(probe_pid)).c_str(), F_OK) == 0 &&
         std::chrono::steady_clock::now() < deadline) {
    arbord.notify_count("", 20ms);  // reads arbord's output meanwhile; returns early on any
  }
  EXPECT_NE(access(("/proc/" + std::to_string(probe_pid)).c_str(), F_OK), 0) << "probe " << probe_pid;
  // The probe was never a node of the tree.
  auto status = arbord.request("status");
  ASSERT_TRUE(status);
  EXPECT_EQ((*status)["result"]["children"].size(), 1u);
  stop(arbord);
}

TEST(Health, PassingExecProbeShowsHealthyInStatusAndTheTable) {
  ArbordInstance arbord;
  json w = child("w", {}, {{"health", {{"exec", {test_child(), "--after", "0"}}, {"interval", 100}}}});
  arbord.start(tree(json::array({w, child("plain", {})})));
  ASSERT_TRUE(arbord.await_ready());
  json node;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    auto status = arbord.request("status", {{"path", "w"}});
    ASSERT_TRUE(status);
    node = (*status)["result"];
    if (node["health"] == "healthy") break;
    arbord.notify_count("", 50ms);  // a bounded wait for anything from arbord
  }
  EXPECT_EQ(node["health"], "healthy") << node;
  EXPECT_EQ(node["health_failures"], 0);
  auto plain = arbord.request("status", {{"path", "plain"}});
  ASSERT_TRUE(plain);
  EXPECT_TRUE((*plain)["result"]["health"].is_null());
  const RunResult table = arborctl(arbord.socket(), {"status"});
  EXPECT_TRUE(std::regex_search(table.out, std::regex(R"(HEALTH)"))) << table.out;
  EXPECT_TRUE(std::regex_search(table.out, std::regex(R"(\n  w +worker +running +healthy )"))) << table.out;
  EXPECT_TRUE(std::regex_search(table.out, std::regex(R"(\n  plain +worker +running +- )"))) << table.out;
  stop(arbord);
}

TEST(Health, FailingExecProbeSaysItsExitCode) {
  ArbordInstance arbord;
  json w = child(
      "w", {},
      {{"health",
        {{"exec", {test_child(), "--exit", "2", "--after", "0"}}, {"interval", 100}, {"failures", 2}}}});
  arbord.start(tree(json::array({w})));
  ASSERT_TRUE(arbord.await_ready());
  auto sick = arbord.await_event(event("unhealthy", "w"));
  ASSERT_TRUE(sick);
  EXPECT_EQ((*sick)["error"], "exec: exit 2");
  EXPECT_EQ((*sick)["failures"], 2);
  arbord.await(R"(w: unhealthy after 2 failed checks: exec: exit 2; stopping it)");
  // `arborctl watch` (the human lines) shows it with its error: grep takes the first such
  // line and exits; arborctl ends on the SIGPIPE of its next line (w keeps failing).
  const RunResult watched = run({"/bin/sh", "-c",
                                 std::string(ARBORCTL_BIN) + " --socket " + arbord.socket() +
                                     " watch --since 0 | grep -m1 ' unhealthy '"},
                                20s);
  EXPECT_EQ(watched.status, 0) << watched.err;
  EXPECT_NE(watched.out.find(" unhealthy    w "), std::string::npos) << watched.out;
  EXPECT_NE(watched.out.find("error=exec: exit 2"), std::string::npos) << watched.out;
  EXPECT_NE(watched.out.find("failures=2"), std::string::npos) << watched.out;
  stop(arbord);
}

TEST(Health, FailuresInTheStartPeriodDoNotCount) {
  ArbordInstance arbord;
  const std::string addr = "127.0.0.1:" + std::to_string(free_port());
  json w = child("w", {},
                 {{"health", {{"tcp", addr}, {"interval", 100}, {"start_period", 700}, {"failures", 1}}}});
  arbord.start(tree(json::array({w})), {}, Watch::from_boot);
  auto started = arbord.await_event(event("started", "w"));
  auto sick = arbord.await_event(event("unhealthy", "w"));
  ASSERT_TRUE(started && sick);
  EXPECT_EQ((*sick)["error"].get<std::string>().rfind("connect " + addr + ": connection refused", 0), 0u)
      << *sick;
  // The start period runs on the loop's clock (uv_now, read once per iteration, in ms),
  // which can be a few ms behind the wall-clock stamp of `started` on a loaded machine, so
  // the bound allows 50 ms. A failure that counted inside the period would come with the
  // first probe, ~100 ms after the start.
  EXPECT_GE(micros(*sick) - micros(*started), 700000 - 50000) << "a failure inside the start period counted";
  stop(arbord);
}

TEST(Watchdog, WorkerGetsItsOwnPidAndTheInterval) {
  ArbordInstance arbord;
  arbord.start(
      tree(json::array({child("w",
                              {"--print-env", "WATCHDOG_USEC", "--print-env", "WATCHDOG_PID", "--print-env",
                               "NOTIFY_SOCKET", "--notify-text", "WATCHDOG=1", "--after", "0"},
                              {{"watchdog", 1500}, {"restart", "transient"}})})),
      {}, Watch::from_boot);
  auto started = arbord.await_event(event("started", "w"));
  ASSERT_TRUE(started);
  ASSERT_TRUE(arbord.await_event({{"event", "exited"}, {"path", "w"}, {"reason", "normal"}}));
  auto logs = arbord.request("logs", {{"path", "w"}, {"lines", 10}});
  ASSERT_TRUE(logs);
  const std::string pid = std::to_string((*started)["pid"].get<int>());
  const json lines = (*logs)["result"]["lines"];
  auto has = [&](const std::string& text) {
    return std::find(lines.begin(), lines.end(), text) != lines.end();
  };
  EXPECT_TRUE(has("WATCHDOG_USEC=1500000")) << lines;
  EXPECT_TRUE(has("WATCHDOG_PID=" + pid)) << lines;
  EXPECT_FALSE(has("NOTIFY_SOCKET unset")) << lines;
  stop(arbord);
}

TEST(Watchdog, MissedIntervalMakesItUnhealthyAndRestarts) {
  ArbordInstance arbord;
  // Two pings 100 ms apart, then silence while it keeps running.
  arbord.start(tree(json::array(
      {child("w", {"--notify-text", "WATCHDOG=1", "--sleep", "100", "--notify-text", "WATCHDOG=1"},
             {{"watchdog", 400}})})));
  ASSERT_TRUE(arbord.await_ready());
  auto sick = arbord.await_event(event("unhealthy", "w"));
  ASSERT_TRUE(sick);
  EXPECT_EQ((*sick)["error"], "watchdog: no WATCHDOG=1 for 400 ms");
  EXPECT_TRUE(
      arbord.await_event({{"event", "exited"}, {"path", "w"}, {"reason", "abnormal"}, {"watchdog", true}}));
  EXPECT_TRUE(arbord.await_event(event("started", "w")));
  stop(arbord);
}

TEST(Watchdog, TriggerStopsAtOnceAndPingsKeepItRunning) {
  ArbordInstance arbord;
  const std::string script = write_script(arbord, "client.py", kWatchdogClient);
  arbord.start(tree(json::array({{{"id", "w"},
                                  {"command", {python(), script, arbord.path("marker")}},
                                  {"restart", "transient"},
                                  {"watchdog", 600}}})));
  ASSERT_TRUE(arbord.await_ready());
  auto sick = arbord.await_event(event("unhealthy", "w"));
  ASSERT_TRUE(sick);
  EXPECT_EQ((*sick)["error"], "watchdog: WATCHDOG=trigger");
  EXPECT_TRUE(arbord.await_event({{"event", "exited"}, {"path", "w"}, {"watchdog", true}}));
  EXPECT_TRUE(arbord.await_event(event("started", "w")));
  // The second run only pings, for over three intervals, and ends on its own.
  EXPECT_TRUE(arbord.await_event({{"event", "exited"}, {"path", "w"}, {"exit", {{"code", 0}}}}));
  EXPECT_EQ(arbord.events_matching(event("unhealthy", "w")).size(), 1u);
  stop(arbord);
}

TEST(Watchdog, ArbordPingsSystemdAtHalfItsInterval) {
  ArbordInstance arbord;
  arbord.add_env("WATCHDOG_USEC=200000");
  arbord.start(tree(json::array({child("w", {})})));
  ASSERT_TRUE(arbord.await_ready());
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (arbord.notify_count("WATCHDOG=1") < 5 && std::chrono::steady_clock::now() < deadline) {
    arbord.notify_count("WATCHDOG=1", 100ms);
  }
  EXPECT_GE(arbord.notify_count("WATCHDOG=1"), 5);
  EXPECT_EQ(arbord.matching("systemd watchdog: WATCHDOG=1 every 100 ms").size(), 1u);
  stop(arbord);
}

TEST(Watchdog, ArbordIgnoresAWatchdogMeantForAnotherProcess) {
  ArbordInstance arbord;
  arbord.add_env("WATCHDOG_USEC=200000");
  arbord.add_env("WATCHDOG_PID=1");
  arbord.start(tree(json::array({child("w", {})})));
  ASSERT_TRUE(arbord.await_ready());
  // The line is logged before the tree starts, so by READY=1 it would be there.
  EXPECT_TRUE(arbord.matching("systemd watchdog").empty());
  EXPECT_EQ(arbord.notify_count("WATCHDOG=1"), 0);
  stop(arbord);
}

}  // namespace
}  // namespace arbor::testing
