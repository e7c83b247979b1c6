// watch and wait: lines after the reply, and what happens when the client hangs up.
#include <gtest/gtest.h>

#include "tests/fakes/fake_daemon.h"

namespace arbor::testing {
namespace {

using nlohmann::json;

using StreamsTest = Fixture;

TEST_F(StreamsTest, WatchRepliesThenStreamsEveryEvent) {
  take_lines();
  EXPECT_TRUE(request("watch", json::object())["ok"].get<bool>());
  h.crash("db");
  daemon.pump();
  auto lines = take_lines();
  ASSERT_GE(lines.size(), 4u);
  EXPECT_TRUE(lines[0].contains("ok"));
  const json& exited = lines[1];
  EXPECT_EQ(exited["event"], "exited");
  EXPECT_EQ(exited["path"], "db");
  EXPECT_EQ(exited["exit"], (json{{"code", 1}}));
  EXPECT_EQ(exited["reason"], "abnormal");
  EXPECT_TRUE(exited["pid"].is_number_integer());
  EXPECT_TRUE(exited["seq"].is_number_integer());
  EXPECT_TRUE(exited["time"].is_string());
  EXPECT_EQ(lines[2]["event"], "restarting");
  EXPECT_EQ(lines[2]["delay_ms"], 0);
  EXPECT_EQ(lines[3]["event"], "started");
  EXPECT_EQ(lines[3]["seq"].get<int>(), lines[2]["seq"].get<int>() + 1);

  session->client_hangs_up();
  h.crash("db");
  daemon.pump();
  EXPECT_TRUE(take_lines().empty());
  EXPECT_EQ(daemon.bus.last_seq() > 0, true);
}

TEST_F(StreamsTest, WaitAnswersAtOnceWhenTheStateIsThere) {
  json r = request("wait", {{"path", "db"}});
  EXPECT_EQ(r["result"], (json{{"path", "db"}, {"state", "running"}}));
}

TEST_F(StreamsTest, WaitAnswersWhenTheStateIsReached) {
  EXPECT_TRUE(request("stop", {{"path", "db"}})["ok"].get<bool>());
  take_lines();
  dispatcher.handle(session, R"({"id": 9, "cmd": "wait", "args": {"path": "db", "timeout_ms": 5000}})");
  EXPECT_TRUE(take_lines().empty());
  EXPECT_TRUE(request("start", {{"path", "db"}})["ok"].get<bool>());
  auto lines = take_lines();
  ASSERT_EQ(lines.size(), 2u);
  const json& wait_reply = lines[0]["id"] == 9 ? lines[0] : lines[1];
  EXPECT_EQ(wait_reply["result"]["state"], "running");
  daemon.advance(10000);  // the timer of an answered wait does nothing
  EXPECT_TRUE(take_lines().empty());
}

TEST_F(StreamsTest, WaitTimesOut) {
  take_lines();
  dispatcher.handle(
      session, R"({"id": 3, "cmd": "wait", "args": {"path": "db", "state": "stopped", "timeout_ms": 100}})");
  daemon.advance(99);
  for (const auto& l : take_lines()) ADD_FAILURE() << l;
  daemon.advance(1);
  auto lines = take_lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(error_code(lines[0]), "timeout");
  EXPECT_EQ(lines[0]["id"], 3);
}

TEST_F(StreamsTest, WaitRefusals) {
  EXPECT_EQ(error_code(request("wait", {{"path", "db"}, {"state", "dancing"}})), "bad_request");
  EXPECT_EQ(error_code(request("wait", {{"path", "zz"}})), "not_found");
  EXPECT_EQ(error_code(request("wait", {{"path", "db"}, {"timeout_ms", -1}})), "bad_request");
}

TEST_F(StreamsTest, WaitOnAChildThatGoesAway) {
  EXPECT_EQ(request("add", {{"path", "jobs"}})["result"]["path"], "jobs/1");
  take_lines();
  dispatcher.handle(session,
                    R"({"id": 4, "cmd": "wait", "args": {"path": "jobs/1", "state": "restarting"}})");
  EXPECT_TRUE(request("stop", {{"path", "jobs/1"}})["ok"].get<bool>());
  bool saw = false;
  for (const auto& l : take_lines()) saw = saw || (l["id"] == 4 && error_code(l) == "not_found");
  EXPECT_TRUE(saw);
}

}  // namespace
}  // namespace arbor::testing
