// `why` on the dispatcher: the chain read from the history, newest first, each cause the
// seq of the next; not_found when nothing of the path is kept; operator commands as
// `command` events with the client's uid.
#include <gtest/gtest.h>

#include "tests/fakes/fake_daemon.h"

namespace arbor::testing {
namespace {

using nlohmann::json;

class WhyTest : public Fixture {};

std::vector<std::string> names(const json& reply) {
  std::vector<std::string> out;
  for (const json& e : reply["result"]["chain"]) {
    out.push_back(e["event"].get<std::string>() + " " + e["path"].get<std::string>());
  }
  return out;
}

TEST_F(WhyTest, TheChainOfARestForOneRestart) {
  h.exit("web/api", ExitStatus::signal(9));
  daemon.pump();
  json reply = request("why", {{"path", "web/worker"}});
  ASSERT_TRUE(reply["ok"].get<bool>()) << reply.dump();
  EXPECT_EQ(names(reply),
            (std::vector<std::string>{"started web/worker", "restarting web/api", "exited web/api"}));
  const json& chain = reply["result"]["chain"];
  for (std::size_t i = 0; i + 1 < chain.size(); ++i) EXPECT_EQ(chain[i]["cause"], chain[i + 1]["seq"]);
  EXPECT_EQ(chain.back()["cause"], nullptr);
  EXPECT_EQ(chain[1]["strategy"], "rest_for_one");
  EXPECT_EQ(chain[2]["exit"], (json{{"signal", "KILL"}}));
  // A leading "/" names the same child.
  EXPECT_EQ(names(request("why", {{"path", "/web/worker"}})), names(reply));
}

TEST_F(WhyTest, AStopEndsAtItsCommandEvent) {
  ASSERT_TRUE(request("stop", {{"path", "db"}})["ok"].get<bool>());
  json reply = request("why", {{"path", "db"}});
  EXPECT_EQ(names(reply), (std::vector<std::string>{"exited db", "command db"}));
  const json& command = reply["result"]["chain"][1];
  EXPECT_EQ(command["command"], "stop");
  EXPECT_TRUE(command.contains("uid"));  // null: the fake session has no peer credentials
  EXPECT_EQ(command["cause"], nullptr);
}

TEST_F(WhyTest, NothingKeptIsNotFound) {
  EXPECT_EQ(error_code(request("why", {{"path", "nope"}})), "not_found");
  EXPECT_EQ(error_code(request("why", {{"path", "jobs/1"}})), "not_found");
  EXPECT_EQ(error_code(request("why", json::object())), "bad_request");
}

}  // namespace
}  // namespace arbor::testing
