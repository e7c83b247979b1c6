// Request lines in, replies out: every command's success and its refusals (docs/PROTOCOL.md).
#include <gtest/gtest.h>

#include "arbor_version.h"
#include "daemon/protocol/commands/all.h"
#include "tests/fakes/fake_daemon.h"

namespace arbor::testing {
namespace {

using nlohmann::json;

using CommandsTest = Fixture;

std::set<std::string> keys(const json& j) {
  std::set<std::string> out;
  for (const auto& [k, v] : j.items()) out.insert(k);
  return out;
}

TEST_F(CommandsTest, StatusOfTheRootHasTheShapeOfSpec5) {
  json reply = request(R"({"id": 7, "cmd": "status", "args": {"path": "/"}})");
  EXPECT_EQ(reply["id"], 7);
  ASSERT_TRUE(reply["ok"].get<bool>()) << reply;
  const json& root = reply["result"];
  EXPECT_EQ(keys(root), (std::set<std::string>{"path", "id", "type", "state", "restarts", "children",
                                               "cgroup", "memory_bytes", "cpu_usec", "operator_stopped"}));
  EXPECT_EQ(root["path"], "/");
  EXPECT_EQ(root["id"], "/");
  EXPECT_EQ(root["type"], "supervisor");
  EXPECT_EQ(root["state"], "running");
  ASSERT_EQ(root["children"].size(), 3u);
  const json& db = root["children"][0];
  EXPECT_EQ(keys(db), (std::set<std::string>{"path", "id", "type", "state", "pid", "restarts", "started_at",
                                             "last_exit", "status_text", "cgroup", "memory_bytes", "cpu_usec",
                                             "health", "health_failures", "operator_stopped"}));
  EXPECT_EQ(db["path"], "db");
  EXPECT_TRUE(db["pid"].is_number_integer());
  EXPECT_EQ(db["started_at"], "T1000");
  EXPECT_TRUE(db["last_exit"].is_null());
  EXPECT_TRUE(db["status_text"].is_null());
  EXPECT_EQ(root["children"][1]["children"][0]["path"], "web/api");
  EXPECT_EQ(root["children"][2]["type"], "dynamic_supervisor");
}

TEST_F(CommandsTest, StatusDefaultsToTheRootAndShowsExitsAndStoppedWorkers) {
  h.crash("db");
  daemon.pump();
  EXPECT_EQ(request("stop", {{"path", "web/api"}})["ok"], true);
  json root = request(R"({"id":1,"cmd":"status"})")["result"];
  EXPECT_EQ(root["children"][0]["last_exit"], (json{{"code", 1}}));
  EXPECT_EQ(root["children"][0]["restarts"], 1);
  const json api = request("status", {{"path", "web/api"}})["result"];
  EXPECT_EQ(api["state"], "stopped");
  EXPECT_TRUE(api["pid"].is_null());
  EXPECT_TRUE(api["started_at"].is_null());
  EXPECT_EQ(api["last_exit"], (json{{"signal", "TERM"}}));
}

TEST_F(CommandsTest, StatusRefusals) {
  EXPECT_EQ(error_code(request("status", {{"path", "nope"}})), "not_found");
  EXPECT_EQ(error_code(request("status", {{"path", 3}})), "bad_request");
  EXPECT_EQ(error_code(request("status", {{"path", "a//b"}})), "bad_request");
  // arborctl shows this message to people: it names the path, not the wire's "args.path".
  const json bad = request("status", {{"path", "web/api/"}});
  EXPECT_EQ(bad["error"]["message"],
            "\"web/api/\" is not a child path: give ids joined by \"/\", such as web/api, "
            "or / for the root");
  EXPECT_EQ(error_code(request("status", {{"bogus", 1}})), "bad_request");
}

TEST_F(CommandsTest, Count) {
  json reply = request("count", {{"path", "/"}});
  EXPECT_EQ(reply["result"], (json{{"specs", 3}, {"active", 3}, {"supervisors", 2}, {"workers", 1}}));
  EXPECT_EQ(error_code(request("count", {{"path", "db"}})), "bad_request");
  EXPECT_EQ(error_code(request("count", {{"path", "zz"}})), "not_found");
  EXPECT_EQ(error_code(request("count", json::object())), "bad_request");
}

TEST_F(CommandsTest, SpecIsAcceptedBackByAdd) {
  json spec = request("spec", {{"path", "db"}})["result"];
  EXPECT_EQ(spec["id"], "db");
  EXPECT_EQ(spec["command"], (json{"/bin/true"}));
  spec["id"] = "db2";
  json reply = request("add", {{"path", "/"}, {"spec", spec}});
  ASSERT_TRUE(reply["ok"].get<bool>()) << reply;
  EXPECT_EQ(reply["result"], (json{{"path", "db2"}}));
  EXPECT_EQ(h.state("db2"), core::ChildState::running);
  EXPECT_EQ(error_code(request("spec", {{"path", "nope"}})), "not_found");
}

TEST_F(CommandsTest, StopStartRestartRemove) {
  EXPECT_EQ(request("stop", {{"path", "db"}})["result"], (json{{"path", "db"}}));
  EXPECT_EQ(h.state("db"), core::ChildState::stopped);
  EXPECT_TRUE(request("stop", {{"path", "db"}})["ok"].get<bool>())
      << "stopping a stopped child is not an error";
  EXPECT_TRUE(request("start", {{"path", "db"}})["ok"].get<bool>());
  EXPECT_EQ(h.state("db"), core::ChildState::running);
  EXPECT_EQ(error_code(request("start", {{"path", "db"}})), "running");
  EXPECT_EQ(error_code(request("remove", {{"path", "db"}})), "running");
  const int pid = request("status", {{"path", "db"}})["result"]["pid"];
  EXPECT_TRUE(request("restart", {{"path", "db"}})["ok"].get<bool>());
  EXPECT_NE(request("status", {{"path", "db"}})["result"]["pid"], pid);
  EXPECT_TRUE(request("stop", {{"path", "db"}})["ok"].get<bool>());
  EXPECT_TRUE(request("remove", {{"path", "db"}})["ok"].get<bool>());
  EXPECT_FALSE(h.exists("db"));
  EXPECT_EQ(error_code(request("remove", {{"path", "db"}})), "not_found");
  EXPECT_EQ(error_code(request("start", {{"path", "db"}})), "not_found");
  EXPECT_EQ(error_code(request("stop", json::object())), "bad_request");
}

TEST_F(CommandsTest, AddWithASpec) {
  json spec{{"id", "extra"}, {"command", {"/bin/sleep", "100"}}};
  EXPECT_EQ(request("add", {{"path", "web"}, {"spec", spec}})["result"], (json{{"path", "web/extra"}}));
  EXPECT_EQ(error_code(request("add", {{"path", "web"}, {"spec", spec}})), "already_present");
  json bad = request("add", {{"path", "web"}, {"spec", {{"id", "x"}, {"shutdown", "soon"}}}});
  EXPECT_EQ(error_code(bad), "bad_spec");
  EXPECT_NE(bad["error"]["message"].get<std::string>().find("/spec/"), std::string::npos) << bad;
  EXPECT_EQ(error_code(request("add", {{"path", "nope"}, {"spec", spec}})), "not_found");
  EXPECT_EQ(error_code(request("add", {{"path", "db"}, {"spec", spec}})), "bad_request");
  EXPECT_EQ(error_code(request("add", {{"path", "web"}, {"spec", spec}, {"args", json::array()}})),
            "bad_request");
}

TEST_F(CommandsTest, AddToADynamicSupervisor) {
  EXPECT_EQ(request("add", {{"path", "jobs"}, {"args", {"1"}}})["result"], (json{{"path", "jobs/1"}}));
  EXPECT_EQ(request("add", {{"path", "jobs"}})["result"], (json{{"path", "jobs/2"}}));
  EXPECT_EQ(error_code(request("add", {{"path", "jobs"}})), "max_children");
  EXPECT_EQ(error_code(request("add", {{"path", "jobs"}, {"args", "x"}})), "bad_request");
  EXPECT_EQ(error_code(request("add", {{"path", "jobs"}, {"args", {1}}})), "bad_request");
  EXPECT_EQ(error_code(request("start", {{"path", "jobs/1"}})), "bad_request");
}

TEST_F(CommandsTest, SignalByNameOrNumber) {
  h.take_log();
  EXPECT_EQ(request("signal", {{"path", "db"}, {"signal", "USR1"}})["result"],
            (json{{"path", "db"}, {"signal", "USR1"}}));
  EXPECT_TRUE(request("signal", {{"path", "db"}, {"signal", 1}})["ok"].get<bool>());
  EXPECT_TRUE(request("signal", {{"path", "db"}, {"signal", "SIGHUP"}})["ok"].get<bool>());
  const auto log = h.take_log();
  EXPECT_NE(std::find(log.begin(), log.end(), "signal db USR1"), log.end());
  EXPECT_EQ(error_code(request("signal", {{"path", "db"}, {"signal", "NOPE"}})), "bad_request");
  EXPECT_EQ(error_code(request("signal", {{"path", "db"}, {"signal", 99}})), "bad_request");
  EXPECT_EQ(error_code(request("signal", {{"path", "db"}})), "bad_request");
  EXPECT_EQ(error_code(request("signal", {{"path", "zz"}, {"signal", "TERM"}})), "not_found");
}

TEST_F(CommandsTest, MalformedRequestsAreBadRequestsAndTheSessionGoesOn) {
  json r = request("{not json");
  EXPECT_EQ(error_code(r), "bad_request");
  EXPECT_TRUE(r["id"].is_null());
  EXPECT_EQ(error_code(request("[1,2]")), "bad_request");
  EXPECT_EQ(error_code(request(R"({"id": 5})")), "bad_request");
  r = request(R"({"id": "abc", "cmd": "frobnicate"})");
  EXPECT_EQ(r["id"], "abc");
  EXPECT_NE(r["error"]["message"].get<std::string>().find("frobnicate"), std::string::npos);
  EXPECT_EQ(error_code(request(R"({"id": 1, "cmd": "status", "args": [1]})")), "bad_request");
  EXPECT_EQ(error_code(request(R"({"id": 1, "cmd": "status", "extra": 1})")), "bad_request");
  EXPECT_EQ(error_code(request(R"({"id": {"a":1}, "cmd": "status"})")), "bad_request");
  EXPECT_EQ(error_code(request("\xff\xfe")), "bad_request");
  EXPECT_TRUE(request(R"({"id": 2, "cmd": "status"})")["ok"].get<bool>());
}

TEST_F(CommandsTest, ACommandAboveTheSessionsAccessIsForbidden) {
  session->granted = protocol::Access::observe;
  EXPECT_TRUE(request("status", json::object())["ok"].get<bool>());
  EXPECT_EQ(error_code(request("stop", {{"path", "db"}})), "forbidden");
  EXPECT_EQ(h.state("db"), core::ChildState::running);
}

TEST_F(CommandsTest, EveryRequestReadsBackWhatItWrites) {
  namespace cmd = protocol::commands;
  auto round_trip = [](const auto& request) {
    using Request = std::decay_t<decltype(request)>;
    return Request::from_json(request.to_json()).to_json() == request.to_json();
  };
  EXPECT_TRUE(round_trip(cmd::Status::Request{"web/api"}));
  EXPECT_TRUE(round_trip(cmd::Add::Request{"jobs", std::nullopt, std::vector<std::string>{"1", "2"}}));
  EXPECT_TRUE(round_trip(cmd::Add::Request{"web", json{{"id", "x"}}, std::nullopt}));
  EXPECT_TRUE(round_trip(cmd::Signal::Request{"db", "9", true}));
  EXPECT_TRUE(round_trip(cmd::Logs::Request{"db", 3, true}));
  EXPECT_TRUE(round_trip(cmd::Reload::Request{true}));
  EXPECT_TRUE(round_trip(cmd::Wait::Request{"db", "stopped", 250}));
  EXPECT_EQ((cmd::Signal::Request{"db", "9", true}.to_json()), (json{{"path", "db"}, {"signal", 9}}));
}

TEST_F(CommandsTest, Version) {
  EXPECT_EQ(request("version", json::object())["result"], (json{{"arbord", ARBOR_VERSION}, {"protocol", 2}}));
}

TEST_F(CommandsTest, ShutdownAnswersThenStopsTheTree) {
  EXPECT_TRUE(request("shutdown", json::object())["ok"].get<bool>());
  ASSERT_TRUE(h.outcome().has_value());
  EXPECT_EQ(*h.outcome(), core::OutcomeKind::stopped);
}

// `check` (an observe command): ok while every worker runs, and after an operator stop;
// refusals as for any path command. Problems are in tests/unit/core/check_test.cpp.
TEST_F(CommandsTest, CheckIsOkWhenWhatShouldRunRuns) {
  session->granted = protocol::Access::observe;
  json reply = request("check", json::object());
  ASSERT_TRUE(reply["ok"].get<bool>()) << reply.dump();
  EXPECT_EQ(reply["result"]["ok"], true);
  EXPECT_EQ(reply["result"]["problems"], json::array());
  session->granted = protocol::Access::operate;
  ASSERT_TRUE(request("stop", {{"path", "db"}})["ok"].get<bool>());
  EXPECT_EQ(request("check", json::object())["result"]["ok"], true);
  EXPECT_EQ(error_code(request("check", {{"path", "nope"}})), "not_found");
  EXPECT_EQ(error_code(request("check", {{"path", "db"}, {"x", 1}})), "bad_request");
  EXPECT_TRUE(protocol::commands::Check::Request::from_json(json{{"path", "web"}}).path == "web");
}

}  // namespace
}  // namespace arbor::testing
