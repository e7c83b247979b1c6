// The state file (SPEC §9) with the real arbord: an operator stop survives a clean restart
// and a kill -9 of arbord; a bad file is moved aside and the tree starts; stops of children
// gone from the config are dropped; a state file that cannot be written (the issue's "state
// file on a full disk" fault) leaves the stop done, the reply ok with a warning, and the
// supervision of everything else going on.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "tests/support/arbord_instance.h"
#include "tests/support/proc.h"

namespace arbor::testing {
namespace {

using nlohmann::json;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

json stopped_in(const std::string& state_file) {
  return json::parse(read_file(state_file)).at("operator_stopped");
}

// a, b, then s {x, y}, then c, under rest_for_one: b stopped must not change the others' order.
json tree_in(ArbordInstance& dir, const json& extra = json::object()) {
  json config = {{"socket", dir.path("arbord.sock")},
                 {"log_dir", dir.path("logs")},
                 {"root",
                  {{"strategy", "rest_for_one"},
                   {"children", json::array({child("a", {}),
                                             child("b", {}),
                                             {{"id", "s"},
                                              {"type", "supervisor"},
                                              {"children", json::array({child("x", {}), child("y", {})})}},
                                             child("c", {})})}}}};
  config.update(extra);
  return config;
}

json node(ArbordInstance& arbord, const std::string& path) {
  auto reply = arbord.request("status", {{"path", path}});
  if (!reply || !reply->value("ok", false)) return json::object();
  return reply->at("result");
}

std::vector<std::string> started(ArbordInstance& arbord) {
  std::vector<std::string> out;
  for (const json& e : arbord.events_matching({{"event", "started"}})) out.push_back(e.at("path"));
  return out;
}

TEST(StateFile, AnOperatorStopSurvivesACleanRestartOfArbord) {
  ArbordInstance first;
  const json config = tree_in(first);
  first.start(config);
  ASSERT_TRUE(first.await_ready());
  EXPECT_EQ(node(first, "b").value("operator_stopped", true), false);
  auto reply = first.request("stop", {{"path", "b"}});
  ASSERT_TRUE(reply && reply->value("ok", false)) << (reply ? reply->dump() : "no reply");
  EXPECT_FALSE(reply->at("result").contains("warning"));
  // Written before the reply: it is there now.
  EXPECT_EQ(stopped_in(first.path("arbord.state")), json::array({"b"}));
  EXPECT_EQ(node(first, "b").value("operator_stopped", false), true);
  EXPECT_EQ(node(first, "/").value("operator_stopped", true), false) << "on every node, supervisors too";
  first.signal(SIGTERM);
  EXPECT_EQ(first.wait_exit(), 0);

  ArbordInstance second;
  second.start(config, {}, Watch::from_boot);
  ASSERT_TRUE(second.await_ready());
  second.await("b stays stopped");
  EXPECT_EQ(started(second), (std::vector<std::string>{"gate", "a", "s/x", "s/y", "s", "c", "/"}))
      << "b not started; the others in their order";
  EXPECT_EQ(node(second, "b").value("state", ""), "stopped");
  EXPECT_EQ(node(second, "b").value("operator_stopped", false), true);
  EXPECT_EQ(node(second, "c").value("state", ""), "running");
  const RunResult table = arborctl(second.socket(), {"status"});
  EXPECT_NE(table.out.find("stopped (operator)"), std::string::npos) << table.out;
  reply = second.request("start", {{"path", "b"}});
  ASSERT_TRUE(reply && reply->value("ok", false));
  EXPECT_EQ(stopped_in(first.path("arbord.state")), json::array());
  EXPECT_EQ(node(second, "b").value("operator_stopped", true), false);
  second.signal(SIGTERM);
  EXPECT_EQ(second.wait_exit(), 0);
  EXPECT_TRUE(second.no_survivors());
}

TEST(StateFile, AnOperatorStopSurvivesKill9OfArbord) {
  ArbordInstance first;
  const json config = tree_in(first);
  first.start(config);
  ASSERT_TRUE(first.await_ready());
  for (const char* path : {"b", "s/y"}) {
    auto reply = first.request("stop", {{"path", path}});
    ASSERT_TRUE(reply && reply->value("ok", false)) << path;
  }
  first.signal(SIGKILL);
  EXPECT_EQ(first.wait_exit(), 128 + SIGKILL);

  ArbordInstance second;  // the leaders died with arbord; its group record cleans up the rest
  second.start(config);
  ASSERT_TRUE(second.await_ready());
  for (const char* path : {"b", "s/y"}) {
    EXPECT_EQ(node(second, path).value("state", ""), "stopped") << path;
    EXPECT_EQ(node(second, path).value("operator_stopped", false), true) << path;
  }
  for (const char* path : {"a", "s/x", "c"})
    EXPECT_EQ(node(second, path).value("state", ""), "running") << path;
  // The rest goes on being supervised: a crash of a restarts its group, and b (an operator
  // stop in a rest_for_one group) comes back with it, as in OTP, which ends its stop.
  const auto a = second.pid_of("a");
  ASSERT_TRUE(a);
  ::kill(*a, SIGKILL);
  second.await_event({{"event", "started"}, {"path", "c"}});
  EXPECT_EQ(node(second, "b").value("state", ""), "running");
  EXPECT_EQ(stopped_in(first.path("arbord.state")), json::array()) << "s restarted: s/y's stop ended too";
  second.signal(SIGTERM);
  EXPECT_EQ(second.wait_exit(), 0);
  EXPECT_TRUE(second.no_survivors());
}

TEST(StateFile, ABadStateFileIsMovedAsideAndTheTreeStarts) {
  for (const std::string& text : {std::string("{\"version\": 1, \"operator_stopped\": [\"b\""),
                                  std::string(R"({"version": 2, "operator_stopped": ["b"]})"),
                                  std::string(R"({"version": 1, "operator_stopped": ["b", 7]})")}) {
    ArbordInstance arbord;
    std::ofstream(arbord.path("arbord.state")) << text;
    arbord.start(tree_in(arbord));
    ASSERT_TRUE(arbord.await_ready()) << text;
    const auto line = arbord.await("state file " + arbord.path("arbord.state") + ": .*; moved to " +
                                   arbord.path("arbord.state.bad") + ", starting every child");
    ASSERT_TRUE(line) << text;
    EXPECT_EQ(read_file(arbord.path("arbord.state.bad")), text);
    EXPECT_EQ(node(arbord, "b").value("state", ""), "running") << text;
    arbord.signal(SIGTERM);
    EXPECT_EQ(arbord.wait_exit(), 0);
  }
}

TEST(StateFile, StopsOfChildrenGoneFromTheConfigAreDroppedAndLogged) {
  ArbordInstance arbord;
  std::ofstream(arbord.path("arbord.state")) << R"({"version": 1, "operator_stopped": ["gone", "b", "s/z"]})";
  arbord.start(tree_in(arbord));
  ASSERT_TRUE(arbord.await_ready());
  arbord.await("state file .*: gone, s/z no longer in the configuration; dropped");
  EXPECT_EQ(node(arbord, "b").value("state", ""), "stopped");
  EXPECT_EQ(stopped_in(arbord.path("arbord.state")), json::array({"b"})) << "rewritten without them";
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
}

TEST(StateFile, AReloadThatRemovesAStoppedChildClearsItsStop) {
  ArbordInstance arbord;
  json config = tree_in(arbord);
  arbord.start(config);
  ASSERT_TRUE(arbord.await_ready());
  ASSERT_TRUE(arbord.request("stop", {{"path", "c"}}));
  ASSERT_EQ(stopped_in(arbord.path("arbord.state")), json::array({"c"}));
  config["root"]["children"].erase(3);
  std::ofstream(arbord.path("arbor.json")) << config.dump();
  auto reply = arbord.request("reload");
  ASSERT_TRUE(reply && reply->value("ok", false)) << (reply ? reply->dump() : "");
  EXPECT_EQ(stopped_in(arbord.path("arbord.state")), json::array());
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
}

// The issue's "state file on a full disk": any write failure (here the state file's
// directory is gone, ENOENT; the fake Sys of tests/unit/app gives ENOSPC and EACCES).
TEST(StateFile, AnUnwritableStateFileWarnsAndSupervisionGoesOn) {
  ArbordInstance arbord;
  const std::string dir = arbord.path("state");
  ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
  arbord.start(tree_in(arbord, {{"state_file", dir + "/arbord.state"}}));
  ASSERT_TRUE(arbord.await_ready());
  ASSERT_EQ(::rmdir(dir.c_str()), 0);
  auto reply = arbord.request("stop", {{"path", "b"}});
  ASSERT_TRUE(reply && reply->value("ok", false)) << "the stop goes on";
  const std::string warning = reply->at("result").value("warning", "");
  EXPECT_NE(warning.find("the state file " + dir + "/arbord.state could not be written (open " + dir +
                         "/arbord.state.tmp: No such file or directory)"),
            std::string::npos)
      << warning;
  arbord.await("could not be written");
  EXPECT_EQ(node(arbord, "b").value("state", ""), "stopped");
  // arborctl: exit 0, the warning on stderr.
  const RunResult ctl = arborctl(arbord.socket(), {"stop", "s/x"});
  EXPECT_EQ(ctl.status, 0) << ctl.err;
  EXPECT_NE(ctl.err.find("arborctl: warning: the state file"), std::string::npos) << ctl.err;
  // Supervision goes on: a crash of c is restarted.
  const auto c = arbord.pid_of("c");
  ASSERT_TRUE(c);
  ::kill(*c, SIGKILL);
  arbord.await_event({{"event", "started"}, {"path", "c"}});
  // Once the directory is back, the next change writes the whole set.
  ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
  reply = arbord.request("stop", {{"path", "c"}});
  ASSERT_TRUE(reply && reply->value("ok", false));
  EXPECT_FALSE(reply->at("result").contains("warning"));
  EXPECT_EQ(stopped_in(dir + "/arbord.state"), json::array({"b", "s/x", "c"}));
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  std::filesystem::remove_all(dir);
  EXPECT_TRUE(arbord.no_survivors());
}

}  // namespace
}  // namespace arbor::testing
