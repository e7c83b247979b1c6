// arbord on real processes: readiness gating and timeouts, log capture and rotation,
// and dropping privileges.
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "tests/support/arbord_instance.h"

namespace arbor::testing {
namespace {

using nlohmann::json;

json one_for_one(json children) {
  return {{"root", {{"max_restarts", 0}, {"children", std::move(children)}}}};
}

json event(const std::string& type, const std::string& path) { return {{"event", type}, {"path", path}}; }
json exited(const std::string& path, int code) {
  return {{"event", "exited"}, {"path", path}, {"exit", {{"code", code}}}};
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(Readiness, FdReadinessGatesTheNextStart) {
  ArbordInstance arbord;
  arbord.start(one_for_one(json::array({child("slow", {"--sleep", "400", "--ready-fd", "3"},
                                              {{"ready", {{"fd", 3}, {"timeout", 5000}}}}),
                                        child("next", {})})),
               {}, Watch::from_boot);
  // In this order: `next` starts only once `slow` is ready.
  auto slow = arbord.await_event(event("started", "slow"));
  auto next = arbord.await_event(event("started", "next"));
  ASSERT_TRUE(slow && next);
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_TRUE(arbord.no_survivors());
}

TEST(Readiness, NotifyReadinessGatesTheNextStart) {
  ArbordInstance arbord;
  arbord.start(one_for_one(json::array({child("svc", {"--notify-after", "300"},
                                              {{"ready", {{"notify", true}, {"timeout", 5000}}}}),
                                        child("next", {})})),
               {}, Watch::from_boot);
  arbord.await_event(event("started", "svc"));
  arbord.await_event(event("started", "next"));
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_TRUE(arbord.no_survivors());
}

TEST(Readiness, TimeoutFailsTheStart) {
  ArbordInstance arbord;
  arbord.start(one_for_one(json::array({child("first", {}),
                                        child("mute", {}, {{"ready", {{"notify", true}, {"timeout", 300}}}}),
                                        child("next", {})})),
               {}, Watch::from_boot);
  // The failed boot's message is what this tests: it stays a log line.
  arbord.await(R"(boot failed: mute could not start: ready: timed out after 300 ms)");
  EXPECT_EQ(arbord.wait_exit(), 1);
  EXPECT_TRUE(arbord.events_matching(event("started", "next")).empty());
  EXPECT_TRUE(arbord.no_survivors());
}

TEST(Readiness, FdTimeoutFailsTheStart) {
  ArbordInstance arbord;
  arbord.start(one_for_one(json::array({child("mute", {}, {{"ready", {{"fd", 4}, {"timeout", 200}}}})})));
  // The failed boot's message is what this tests: it stays a log line.
  arbord.await(R"(boot failed: mute could not start: ready: timed out after 200 ms)");
  EXPECT_EQ(arbord.wait_exit(), 1);
  EXPECT_TRUE(arbord.no_survivors());
}

TEST(Logs, OutputIsCapturedPerWorker) {
  ArbordInstance arbord;
  arbord.start(
      one_for_one(json::array({json{
          {"id", "s"},
          {"type", "supervisor"},
          {"children",
           json::array({child("talker", {"--print", "hello out", "--stderr", "hello err", "--after", "100"},
                              {{"restart", "transient"}})})}}})),
      {}, Watch::from_boot);
  json talker_exit = exited("s/talker", 0);
  talker_exit["reason"] = "normal";
  arbord.await_event(talker_exit);
  const std::string log = slurp(arbord.path("logs/s.talker.log"));
  EXPECT_NE(log.find("hello out\n"), std::string::npos) << log;
  EXPECT_NE(log.find("hello err\n"), std::string::npos) << log;
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
}

TEST(Logs, RotationKeepsTheConfiguredFiles) {
  ArbordInstance arbord;
  json t = one_for_one(json::array({child(
      "chatty", {"--lines", "2000", "--line-bytes", "99", "--after", "100"}, {{"restart", "transient"}})}));
  t["logs"] = {{"max_bytes", 50000}, {"keep", 2}};
  arbord.start(t, {}, Watch::from_boot);
  arbord.await_event(exited("chatty", 0));
  EXPECT_EQ(access(arbord.path("logs/chatty.log").c_str(), F_OK), 0);
  EXPECT_EQ(access(arbord.path("logs/chatty.log.1").c_str(), F_OK), 0);
  EXPECT_EQ(access(arbord.path("logs/chatty.log.2").c_str(), F_OK), 0);
  EXPECT_NE(access(arbord.path("logs/chatty.log.3").c_str(), F_OK), 0);
  std::ifstream in(arbord.path("logs/chatty.log"));
  in.seekg(0, std::ios::end);
  EXPECT_LE(static_cast<long>(in.tellg()), 50000);
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
}

TEST(Privileges, WorkerRunsAsTheConfiguredUserAndGroup) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  ArbordInstance arbord;
  chmod(arbord.dir().c_str(), 0755);
  arbord.start(
      one_for_one(json::array({child("dropped", {"--print-ids", "--after", "100"},
                                     {{"user", "nobody"}, {"group", "nogroup"}, {"restart", "transient"}})})),
      {}, Watch::from_boot);
  arbord.await_event(exited("dropped", 0));
  const std::string log = slurp(arbord.path("logs/dropped.log"));
  EXPECT_NE(log.find("uid=65534 gid=65534 groups=65534"), std::string::npos) << log;
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
}

}  // namespace
}  // namespace arbor::testing
