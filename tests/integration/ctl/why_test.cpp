// `arborctl why` against a real arbord (SPEC §10): a three-level escalation read back as
// its chain of causes, and an operator stop that ends at its `command` event.
#include <unistd.h>

#include <gtest/gtest.h>

#include "tests/support/arbord_instance.h"
#include "tests/support/proc.h"

namespace arbor::testing {
namespace {

using nlohmann::json;

class WhyTest : public ::testing::Test {
 protected:
  RunResult ctl(std::vector<std::string> args) { return arborctl(d.socket(), std::move(args), 10s); }
  ArbordInstance d;
};

TEST_F(WhyTest, AThreeLevelEscalationIsOneChain) {
  // x crashes once (exit 3): inner (max_restarts 0) gives up, outer (max_restarts 0) gives up
  // in turn, and the root restarts outer, whose x then stays up.
  const std::string once = d.path("crashed-once");
  const json x = {
      {"id", "x"},
      {"command",
       {"/bin/sh", "-c", "if [ -e " + once + " ]; then exec sleep 1000; fi; touch " + once + "; exit 3"}}};
  const json inner = {{"id", "inner"}, {"type", "supervisor"}, {"max_restarts", 0}, {"children", {x}}};
  const json outer = {{"id", "outer"}, {"type", "supervisor"}, {"max_restarts", 0}, {"children", {inner}}};
  d.start({{"socket", d.path("arbord.sock")}, {"root", {{"children", {outer}}}}}, {}, Watch::from_boot);
  ASSERT_TRUE(d.await_event(
      [](const json& e) {
        return e["event"] == "started" && e["path"] == "outer/inner/x" && !e["cause"].is_null();
      },
      "outer/inner/x started again"));

  RunResult json_run = ctl({"--json", "why", "outer/inner/x"});
  ASSERT_EQ(json_run.status, 0) << json_run.err;
  const json chain = json::parse(json_run.out)["chain"];
  std::vector<std::string> seen;
  for (const json& e : chain)
    seen.push_back(e["event"].get<std::string>() + " " + e["path"].get<std::string>());
  EXPECT_EQ(seen, (std::vector<std::string>{"started outer/inner/x", "restarting outer", "exited outer",
                                            "gave_up outer", "exited outer/inner", "gave_up outer/inner",
                                            "exited outer/inner/x"}));
  for (std::size_t i = 0; i + 1 < chain.size(); ++i) EXPECT_EQ(chain[i]["cause"], chain[i + 1]["seq"]);
  EXPECT_EQ(chain.back()["cause"], nullptr);
  EXPECT_EQ(chain.back()["exit"], (json{{"code", 3}}));
  EXPECT_EQ(chain[1]["strategy"], "one_for_one");

  RunResult human = ctl({"why", "outer/inner/x"});
  ASSERT_EQ(human.status, 0) << human.err;
  EXPECT_NE(human.out.find("outer/inner/x  started, pid "), std::string::npos) << human.out;
  EXPECT_NE(human.out.find("outer          restarting (one_for_one)\n"), std::string::npos) << human.out;
  EXPECT_NE(human.out.find("outer/inner    gave up (restart intensity reached)\n"), std::string::npos)
      << human.out;
  EXPECT_NE(human.out.find("outer/inner/x  exited, code 3 (abnormal)\n"), std::string::npos) << human.out;
}

TEST_F(WhyTest, AStopEndsAtTheCommandAndItsUid) {
  d.start({{"socket", d.path("arbord.sock")},
           {"root", {{"children", {{{"id", "a"}, {"command", {"/bin/sleep", "1000"}}}}}}}});
  ASSERT_TRUE(d.await_ready());
  ASSERT_EQ(ctl({"stop", "a"}).status, 0);
  RunResult run = ctl({"--json", "why", "a"});
  ASSERT_EQ(run.status, 0) << run.err;
  const json chain = json::parse(run.out)["chain"];
  ASSERT_EQ(chain.size(), 2u) << run.out;
  EXPECT_EQ(chain[0]["event"], "exited");
  EXPECT_EQ(chain[0]["reason"], "shutdown");
  EXPECT_EQ(chain[1]["event"], "command");
  EXPECT_EQ(chain[1]["command"], "stop");
  EXPECT_EQ(chain[1]["uid"], ::getuid());
  EXPECT_EQ(chain[1]["cause"], nullptr);
  RunResult human = ctl({"why", "a"});
  EXPECT_EQ(human.out,
            "a  exited, signal TERM (shutdown)\na  command stop (uid " + std::to_string(::getuid()) + ")\n");

  RunResult missing = ctl({"why", "nope"});
  EXPECT_EQ(missing.status, 1);
  EXPECT_NE(missing.err.find("not_found"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace arbor::testing
