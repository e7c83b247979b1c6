// Probes, readiness by probe, health and watchdog: what valid keys give, and every bad
// input's exact diagnostic (docs/CONFIG.md "Probes").
#include <gtest/gtest.h>

#include "config/load.h"
#include "test_util.h"

namespace arbor::config::test {
namespace {

const std::string kW = "/root/children/0";

TEST(Probes, ReadyByTcpWithDefaults) {
  const WorkerSpec w = worker(R"("command": ["/bin/sh"], "ready": {"tcp": "127.0.0.1:5432"})");
  EXPECT_EQ(w.ready.kind, Ready::Kind::probe);
  EXPECT_EQ(w.ready.probe->kind, Probe::Kind::tcp);
  EXPECT_EQ(w.ready.probe->host, "127.0.0.1");
  EXPECT_EQ(w.ready.probe->port, 5432);
  EXPECT_EQ(w.ready.interval_ms, 200);
  EXPECT_EQ(w.ready.timeout_ms, 30000);
  EXPECT_FALSE(w.health);
  EXPECT_FALSE(w.watchdog_ms);
}

TEST(Probes, HttpUrlForms) {
  const WorkerSpec a =
      worker(R"("command": ["/bin/sh"], "ready": {"http": "http://localhost:8080/healthz?x=1",
                                 "interval": 50, "timeout": 900})");
  EXPECT_EQ(a.ready.probe->kind, Probe::Kind::http);
  EXPECT_EQ(a.ready.probe->host, "127.0.0.1");
  EXPECT_EQ(a.ready.probe->port, 8080);
  EXPECT_EQ(a.ready.probe->path, "/healthz?x=1");
  EXPECT_EQ(a.ready.interval_ms, 50);
  EXPECT_EQ(a.ready.timeout_ms, 900);
  const WorkerSpec b = worker(R"("command": ["/bin/sh"], "ready": {"http": "http://[::1]:80"})");
  EXPECT_EQ(b.ready.probe->host, "::1");
  EXPECT_EQ(b.ready.probe->path, "/");
}

TEST(Probes, HealthWithDefaultsAndExecResolvedOnPath) {
  const WorkerSpec w = worker(R"("command": ["/bin/sh"], "health": {"exec": ["sh", "-c", "true"]})");
  ASSERT_TRUE(w.health);
  EXPECT_EQ(w.health->probe.kind, Probe::Kind::exec);
  EXPECT_EQ(w.health->probe.command, (std::vector<std::string>{"/usr/bin/sh", "-c", "true"}));
  EXPECT_EQ(w.health->interval_ms, 10000);
  EXPECT_EQ(w.health->timeout_ms, 1000);
  EXPECT_EQ(w.health->start_period_ms, 0);
  EXPECT_EQ(w.health->failures, 3);
}

TEST(Probes, HealthAndWatchdogKeys) {
  const WorkerSpec w = worker(R"("command": ["/bin/sh"], "watchdog": 3000,
      "health": {"tcp": "10.0.0.1:1", "interval": 5, "timeout": 6, "start_period": 7, "failures": 1})");
  ASSERT_TRUE(w.health);
  EXPECT_EQ(w.health->interval_ms, 5);
  EXPECT_EQ(w.health->timeout_ms, 6);
  EXPECT_EQ(w.health->start_period_ms, 7);
  EXPECT_EQ(w.health->failures, 1);
  EXPECT_EQ(w.watchdog_ms, 3000);
}

TEST(Probes, SpecRoundTrips) {
  const std::string text = with_children(R"({"id": "w", "command": ["/bin/sh"], "watchdog": 100,
      "ready": {"http": "http://127.0.0.1:1/x", "interval": 10},
      "health": {"exec": ["/bin/true"], "failures": 2}})");
  const LoadResult r = load_text(text, options());
  ASSERT_TRUE(r.tree) << ::testing::PrintToString(texts(r.errors));
  const ChildSpec& c = r.tree->root.supervisor->children[0];
  const nlohmann::json j = to_json(c);
  EXPECT_EQ(j["ready"], nlohmann::json::parse(R"({"http": "http://127.0.0.1:1/x", "interval": 10,
                                                  "timeout": 30000})"));
  EXPECT_EQ(j["health"]["exec"], nlohmann::json::array({"/bin/true"}));
  EXPECT_EQ(j["watchdog"], 100);
  const LoadResult again = load_text(with_children(j.dump()), options());
  ASSERT_TRUE(again.tree) << ::testing::PrintToString(texts(again.errors));
  EXPECT_EQ(again.tree->root.supervisor->children[0], c);
}

struct Bad {
  const char* name;
  std::string members;
  std::vector<std::string> expected;
};

void PrintTo(const Bad& b, std::ostream* os) { *os << b.name; }

const std::string kHostPort =
    "expected \"HOST:PORT\" (HOST an IP address or localhost, PORT from 1 to 65535), found ";
const std::string kUrl =
    "expected \"http://HOST:PORT/PATH\" (HOST an IP address or localhost; only http), found ";

const std::vector<Bad>& bad_cases() {
  static const std::vector<Bad> all = {
      {"HealthNoForm",
       R"("health": {"interval": 5})",
       {kW + "/health: expected exactly one of \"tcp\", \"http\" and \"exec\""}},
      {"HealthTwoForms",
       R"("health": {"tcp": "127.0.0.1:1", "http": "http://127.0.0.1:1/"})",
       {kW + "/health: expected exactly one of \"tcp\", \"http\" and \"exec\""}},
      {"HealthNotObject", R"("health": "tcp")", {kW + "/health: expected an object, found \"tcp\""}},
      {"HealthUnknownKey",
       R"("health": {"tcp": "127.0.0.1:1", "period": 5})",
       {kW + "/health/period: unknown key"}},
      {"TcpNoPort",
       R"("health": {"tcp": "127.0.0.1"})",
       {kW + "/health/tcp: " + kHostPort + "\"127.0.0.1\""}},
      {"TcpPortZero",
       R"("health": {"tcp": "127.0.0.1:0"})",
       {kW + "/health/tcp: " + kHostPort + "\"127.0.0.1:0\""}},
      {"TcpPortTooLarge",
       R"("health": {"tcp": "127.0.0.1:65536"})",
       {kW + "/health/tcp: " + kHostPort + "\"127.0.0.1:65536\""}},
      {"TcpHostName",
       R"("health": {"tcp": "db.example:5432"})",
       {kW + "/health/tcp: " + kHostPort + "\"db.example:5432\""}},
      {"TcpBareV6", R"("health": {"tcp": "::1:80"})", {kW + "/health/tcp: " + kHostPort + "\"::1:80\""}},
      {"TcpNotString", R"("health": {"tcp": 5432})", {kW + "/health/tcp: " + kHostPort + "5432"}},
      {"HttpsUrl",
       R"("health": {"http": "https://127.0.0.1:443/"})",
       {kW + "/health/http: " + kUrl + "\"https://127.0.0.1:443/\""}},
      {"HttpNoPort",
       R"("health": {"http": "http://127.0.0.1/x"})",
       {kW + "/health/http: " + kUrl + "\"http://127.0.0.1/x\""}},
      {"HttpSpaceInPath",
       R"("health": {"http": "http://127.0.0.1:1/a b"})",
       {kW + "/health/http: " + kUrl + "\"http://127.0.0.1:1/a b\""}},
      {"ExecEmpty",
       R"("health": {"exec": []})",
       {kW + "/health/exec: expected a non-empty array of strings, found []"}},
      {"ExecNotFound",
       R"("health": {"exec": ["no-such-probe-xyz"]})",
       {kW + "/health/exec/0: \"no-such-probe-xyz\" not found on PATH"}},
      {"HealthIntervalZero",
       R"("health": {"tcp": "127.0.0.1:1", "interval": 0})",
       {kW + "/health/interval: expected an integer >= 1, found 0"}},
      {"HealthTimeoutNegative",
       R"("health": {"tcp": "127.0.0.1:1", "timeout": -1})",
       {kW + "/health/timeout: expected an integer >= 1, found -1"}},
      {"HealthStartPeriodNegative",
       R"("health": {"tcp": "127.0.0.1:1", "start_period": -1})",
       {kW + "/health/start_period: expected an integer >= 0, found -1"}},
      {"HealthFailuresZero",
       R"("health": {"tcp": "127.0.0.1:1", "failures": 0})",
       {kW + "/health/failures: expected an integer >= 1, found 0"}},
      {"ReadyProbeTwoForms",
       R"("ready": {"tcp": "127.0.0.1:1", "exec": ["/bin/true"]})",
       {kW + "/ready: expected exactly one of \"notify\", \"fd\", \"tcp\", \"http\" and \"exec\""}},
      {"ReadyProbeAndNotify",
       R"("ready": {"tcp": "127.0.0.1:1", "notify": true})",
       {kW + "/ready: expected exactly one of \"notify\", \"fd\", \"tcp\", \"http\" and \"exec\""}},
      {"ReadyIntervalZero",
       R"("ready": {"tcp": "127.0.0.1:1", "interval": 0})",
       {kW + "/ready/interval: expected an integer >= 1, found 0"}},
      {"ReadyIntervalWithoutProbe",
       R"("ready": {"notify": true, "interval": 10})",
       {kW + "/ready/interval: only with a probe (\"tcp\", \"http\" or \"exec\")"}},
      {"ReadyBadUrl",
       R"("ready": {"http": "127.0.0.1:80"})",
       {kW + "/ready/http: " + kUrl + "\"127.0.0.1:80\""}},
      {"WatchdogZero", R"("watchdog": 0)", {kW + "/watchdog: expected an integer >= 1, found 0"}},
      {"WatchdogNotNumber",
       R"("watchdog": "5s")",
       {kW + "/watchdog: expected an integer >= 1, found \"5s\""}},
  };
  return all;
}

class ProbeErrors : public ::testing::TestWithParam<Bad> {};

TEST_P(ProbeErrors, ExactMessages) {
  EXPECT_EQ(worker_errors(R"("command": ["/bin/sh"], )" + GetParam().members), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(All, ProbeErrors, ::testing::ValuesIn(bad_cases()),
                         [](const ::testing::TestParamInfo<Bad>& info) {
                           return std::string(info.param.name);
                         });

TEST(Probes, HealthAndWatchdogOnASupervisorAreErrors) {
  EXPECT_EQ(errors_of(with_children(R"({"id": "s", "type": "supervisor", "watchdog": 5,
                                        "health": {"tcp": "127.0.0.1:1"}, "children": []})")),
            (std::vector<std::string>{kW + "/watchdog: unknown key for a supervisor",
                                      kW + "/health: unknown key for a supervisor"}));
  EXPECT_EQ(errors_of(R"({"root": {"health": {"tcp": "127.0.0.1:1"}}})"),
            (std::vector<std::string>{"/root/health: unknown key for a supervisor"}));
}

// examples/health-stack.json is valid as it stands (its programs and users need not exist
// on the machine running the tests).
TEST(Probes, TheHealthStackExampleIsValid) {
  LoadOptions o = options();
  o.resolve_users = false;
  o.check_paths = false;
  const LoadResult r = load_file(std::string(ARBOR_GOLDEN_DIR) + "/../../../examples/health-stack.json", o);
  EXPECT_TRUE(r.errors.empty()) << ::testing::PrintToString(texts(r.errors));
  ASSERT_TRUE(r.tree);
  for (const ChildSpec& c : r.tree->root.supervisor->children) {
    EXPECT_EQ(c.worker.ready.kind, Ready::Kind::probe) << c.id;
    EXPECT_TRUE(c.worker.health) << c.id;
  }
}

}  // namespace
}  // namespace arbor::config::test
