// `metrics` (SPEC §11): the text render_metrics makes of a status tree and counters, line
// by line, and the command over the core on the fake host.
#include <gtest/gtest.h>

#include "daemon/control/metrics_text.h"
#include "tests/fakes/fake_daemon.h"

namespace arbor::testing {
namespace {

using control::MetricsInput;
using control::render_metrics;
using core::ChildState;
using core::StatusNode;

StatusNode worker(std::string path, ChildState state) {
  StatusNode n;
  n.path = std::move(path);
  n.id = n.path;
  n.type = config::ChildType::worker;
  n.state = state;
  return n;
}

// "/" with "db" running (started 2.5 s before now, 3 restarts, OOM-killed once, last exit
// by SIGKILL) and a stopped "web" supervisor with its stopped "api" (exit 3).
StatusNode sample_tree() {
  StatusNode root;
  root.path = "/";
  root.id = "/";
  root.type = config::ChildType::supervisor;
  root.state = ChildState::running;
  StatusNode db = worker("db", ChildState::running);
  db.restarts = 3;
  db.pid = 42;
  db.started_at = 7500;
  db.last_exit = core::ExitStatus::signal(9);
  db.totals.oom_kills = 1;
  db.totals.health_failures = 4;
  db.totals.log_dropped_bytes = 1024;
  StatusNode web;
  web.path = "web";
  web.id = "web";
  web.type = config::ChildType::supervisor;
  web.state = ChildState::stopped;
  web.totals.gave_up = 2;
  StatusNode api = worker("web/api", ChildState::stopped);
  api.last_exit = core::ExitStatus::code(3);
  web.children.push_back(std::move(api));
  root.children.push_back(std::move(db));
  root.children.push_back(std::move(web));
  return root;
}

MetricsInput input_for(const StatusNode& root) {
  MetricsInput in;
  in.root = &root;
  in.monotonic_now = 10000;
  in.wall_now_seconds = 1700000000.0;
  in.events = {{"exited", 5}, {"started", 7}};
  in.process = {123456, 17, 1699999000.5};
  return in;
}

TEST(MetricsText, TheWholeExpositionOfASmallTree) {
  const StatusNode root = sample_tree();
  const std::string text = render_metrics(input_for(root));
  const std::string expected = R"(# HELP arbor_up 1 when the child is running, 0 otherwise.
# TYPE arbor_up gauge
arbor_up{path="/"} 1
arbor_up{path="db"} 1
arbor_up{path="web"} 0
arbor_up{path="web/api"} 0
# HELP arbor_state 1 for the state the child is in, 0 for the other states.
# TYPE arbor_state gauge
arbor_state{path="/",state="stopped"} 0
arbor_state{path="/",state="starting"} 0
arbor_state{path="/",state="running"} 1
arbor_state{path="/",state="stopping"} 0
arbor_state{path="/",state="restarting"} 0
arbor_state{path="db",state="stopped"} 0
arbor_state{path="db",state="starting"} 0
arbor_state{path="db",state="running"} 1
arbor_state{path="db",state="stopping"} 0
arbor_state{path="db",state="restarting"} 0
arbor_state{path="web",state="stopped"} 1
arbor_state{path="web",state="starting"} 0
arbor_state{path="web",state="running"} 0
arbor_state{path="web",state="stopping"} 0
arbor_state{path="web",state="restarting"} 0
arbor_state{path="web/api",state="stopped"} 1
arbor_state{path="web/api",state="starting"} 0
arbor_state{path="web/api",state="running"} 0
arbor_state{path="web/api",state="stopping"} 0
arbor_state{path="web/api",state="restarting"} 0
# HELP arbor_restarts_total Automatic restarts of the child since arbord started.
# TYPE arbor_restarts_total counter
arbor_restarts_total{path="/"} 0
arbor_restarts_total{path="db"} 3
arbor_restarts_total{path="web"} 0
arbor_restarts_total{path="web/api"} 0
# HELP arbor_start_time_seconds Start of the worker's running process, in seconds since the epoch.
# TYPE arbor_start_time_seconds gauge
arbor_start_time_seconds{path="db"} 1699999997.500
# HELP arbor_last_exit_code The worker's last exit code (128 + the signal's number after a signal).
# TYPE arbor_last_exit_code gauge
arbor_last_exit_code{path="db"} 137
arbor_last_exit_code{path="web/api"} 3
# HELP arbor_oom_kills_total Exits of the worker by the kernel's OOM killer.
# TYPE arbor_oom_kills_total counter
arbor_oom_kills_total{path="db"} 1
arbor_oom_kills_total{path="web/api"} 0
# HELP arbor_health_failures_total Failed health checks of the worker (outside its start period).
# TYPE arbor_health_failures_total counter
arbor_health_failures_total{path="db"} 4
arbor_health_failures_total{path="web/api"} 0
# HELP arbor_gave_up_total Times the supervisor gave up (its restart intensity was reached).
# TYPE arbor_gave_up_total counter
arbor_gave_up_total{path="/"} 0
arbor_gave_up_total{path="web"} 2
# HELP arbor_log_dropped_bytes_total Bytes of the worker's captured output that arbord dropped.
# TYPE arbor_log_dropped_bytes_total counter
arbor_log_dropped_bytes_total{path="db"} 1024
arbor_log_dropped_bytes_total{path="web/api"} 0
# HELP arbor_events_total Events of the tree by type (docs/PROTOCOL.md "Events").
# TYPE arbor_events_total counter
arbor_events_total{event="exited"} 5
arbor_events_total{event="started"} 7
# HELP process_resident_memory_bytes arbord's resident memory size in bytes.
# TYPE process_resident_memory_bytes gauge
process_resident_memory_bytes 123456
# HELP process_open_fds arbord's open file descriptors.
# TYPE process_open_fds gauge
process_open_fds 17
# HELP process_start_time_seconds When arbord started, in seconds since the epoch.
# TYPE process_start_time_seconds gauge
process_start_time_seconds 1699999000.50
)";
  EXPECT_EQ(text, expected);
}

TEST(MetricsText, CgroupUsageOnlyForWorkersThatHaveIt) {
  const StatusNode root = sample_tree();
  MetricsInput in = input_for(root);
  in.usage["db"] = control::CgroupUsage{"arbor/c-1", 4096, 2500000};
  in.usage["web/api"] = control::CgroupUsage{"arbor/c-2", std::nullopt, 1};
  const std::string text = render_metrics(in);
  EXPECT_NE(text.find("# TYPE arbor_memory_bytes gauge\narbor_memory_bytes{path=\"db\"} 4096\n# HELP"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("# TYPE arbor_cpu_seconds_total counter\narbor_cpu_seconds_total{path=\"db\"} 2.5\n"
                      "arbor_cpu_seconds_total{path=\"web/api\"} 1e-06\n"),
            std::string::npos)
      << text;
}

TEST(MetricsText, NoCgroupsNoMemoryOrCpuFamilyAtAll) {
  const StatusNode root = sample_tree();
  const std::string text = render_metrics(input_for(root));
  EXPECT_EQ(text.find("arbor_memory_bytes"), std::string::npos);
  EXPECT_EQ(text.find("arbor_cpu_seconds_total"), std::string::npos);
}

TEST(MetricsText, LabelValuesAreEscaped) {
  EXPECT_EQ(control::escape_label_value(R"(a\b"c)"
                                        "\n"
                                        "d"),
            R"(a\\b\"c\nd)");
  StatusNode root = sample_tree();
  root.children[0].path = "we\"ird\\pa\nth";
  const std::string text = render_metrics(input_for(root));
  EXPECT_NE(text.find(R"(arbor_up{path="we\"ird\\pa\nth"} 1)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(arbor_state{path="we\"ird\\pa\nth",state="running"} 1)"), std::string::npos);
}

TEST(MetricsText, UnreadableProcessValuesAreLeftOut) {
  MetricsInput in;
  in.process.open_fds = 3;
  EXPECT_EQ(render_metrics(in),
            "# HELP process_open_fds arbord's open file descriptors.\n"
            "# TYPE process_open_fds gauge\nprocess_open_fds 3\n");
}

using MetricsCommandTest = Fixture;

TEST_F(MetricsCommandTest, CountsRestartsAndEventsOfTheRealCore) {
  h.crash("db");
  daemon.pump();
  const nlohmann::json reply = request(R"({"id":1,"cmd":"metrics"})");
  ASSERT_TRUE(reply["ok"].get<bool>()) << reply;
  const std::string text = reply["result"]["text"];
  EXPECT_NE(text.find("arbor_restarts_total{path=\"db\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("arbor_up{path=\"db\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("arbor_last_exit_code{path=\"db\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("arbor_gave_up_total{path=\"jobs\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("arbor_events_total{event=\"exited\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("arbor_events_total{event=\"started\"} "), std::string::npos);
  EXPECT_EQ(text.find("pid"), std::string::npos);  // nothing per process
}

TEST_F(MetricsCommandTest, RefusesArguments) {
  EXPECT_EQ(error_code(request("metrics", {{"path", "/"}})), "bad_request");
}

}  // namespace
}  // namespace arbor::testing
