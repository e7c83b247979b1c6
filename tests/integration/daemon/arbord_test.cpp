// arbord on real processes: strategies, restart types, intensity, failed boot, stops.
#include <signal.h>

#include <sys/stat.h>

#include <cerrno>
#include <fstream>

#include <gtest/gtest.h>

#include "tests/integration/daemon/arbord_instance.h"

namespace arbor::testing {
namespace {

using nlohmann::json;

json tree(const std::string& strategy, json children, int max_restarts = 3, int max_seconds = 5) {
  return {{"root",
           {{"strategy", strategy},
            {"max_restarts", max_restarts},
            {"max_seconds", max_seconds},
            {"children", std::move(children)}}}};
}

json four() {
  return json::array({child("a", {}), child("b", {}), child("c", {}), child("d", {})});
}

// Starts four children, kills b with SIGKILL, and returns the stop/start lines that follow.
std::vector<std::string> kill_b(ArbordInstance& arbord, const std::string& strategy, int expected_starts) {
  arbord.start(tree(strategy, four()));
  arbord.await(R"(tree started)");
  const auto pid = arbord.pid_of("b");
  EXPECT_TRUE(pid);
  if (!pid) return {};
  kill(*pid, SIGKILL);
  arbord.await(R"( b: exited, pid \d+, signal KILL, reason abnormal)");
  std::vector<std::string> order;
  for (int i = 0; i < expected_starts; ++i) {
    auto line = arbord.await(R"( ([a-d]): (started|exited))");
    if (!line) break;
    const auto at = line->find(": ");
    order.push_back(line->substr(at - 1, 1) + (line->find("started") != std::string::npos ? "+" : "-"));
  }
  return order;
}

struct StrategyCase {
  const char* strategy;
  std::vector<std::string> order;  // x- = x stopped, x+ = x started
};

class ArbordStrategy : public ::testing::TestWithParam<StrategyCase> {};

TEST_P(ArbordStrategy, RestartsInOrderAfterSigkill) {
  ArbordInstance arbord;
  const auto& c = GetParam();
  int events = static_cast<int>(c.order.size());
  EXPECT_EQ(kill_b(arbord, c.strategy, events), c.order);
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_TRUE(arbord.no_survivors());
}

INSTANTIATE_TEST_SUITE_P(Strategies, ArbordStrategy,
                         ::testing::Values(StrategyCase{"one_for_one", {"b+"}},
                                           StrategyCase{"one_for_all", {"d-", "c-", "a-", "a+", "b+", "c+", "d+"}},
                                           StrategyCase{"rest_for_one", {"d-", "c-", "b+", "c+", "d+"}}),
                         [](const auto& info) { return std::string(info.param.strategy); });

TEST(Arbord, TransientExitZeroStaysDownExitOneRestarts) {
  ArbordInstance arbord;
  arbord.start(tree("one_for_one",
                    json::array({child("ok", {"--after", "50", "--exit", "0"}, {{"restart", "transient"}}),
                                 child("bad", {"--after", "50", "--exit", "1"}, {{"restart", "transient"}})}),
                    100, 5));
  arbord.await(R"( ok: exited, pid \d+, code 0, reason normal)");
  arbord.await(R"( bad: exited, pid \d+, code 1, reason abnormal)");
  arbord.await(R"( bad: restarting)");
  arbord.await(R"( bad: started)");
  EXPECT_TRUE(arbord.matching(R"( ok: restarting)").empty());
  EXPECT_EQ(arbord.matching(R"( ok: started)").size(), 1u);
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_TRUE(arbord.no_survivors());
}

TEST(Arbord, IntensityGiveUpExitsWithStatus3) {
  ArbordInstance arbord;
  arbord.start(tree("one_for_one", json::array({child("flappy", {"--after", "20", "--exit", "1"}), child("calm", {})}),
                    2, 10));
  arbord.await(R"( /: gave up)");
  EXPECT_EQ(arbord.wait_exit(), 3);
  EXPECT_EQ(arbord.matching(R"( flappy: restarting)").size(), 2u);
  EXPECT_EQ(arbord.matching(R"( calm: exited, pid \d+, signal TERM, reason shutdown)").size(), 1u);
  EXPECT_TRUE(arbord.no_survivors());
}

TEST(Arbord, ExecFailureAtBootExitsWithStatus1NamingTheChild) {
  ArbordInstance arbord;
  // A script whose interpreter does not exist: the config is valid, exec fails.
  const std::string script = arbord.path("broken.sh");
  {
    std::ofstream out(script);
    out << "#!/nonexistent/interpreter\n";
  }
  chmod(script.c_str(), 0755);
  arbord.start(tree("one_for_one", json::array({child("first", {}), json{{"id", "broken"}, {"command", {script}}},
                                                child("never", {})})));
  arbord.await(R"(boot failed: broken could not start: exec: No such file or directory)");
  EXPECT_EQ(arbord.wait_exit(), 1);
  EXPECT_EQ(arbord.matching(R"( first: exited, pid \d+, signal TERM, reason shutdown)").size(), 1u);
  EXPECT_TRUE(arbord.matching(R"( never: started)").empty());
  EXPECT_TRUE(arbord.no_survivors());
}

TEST(Arbord, BadConfigExitsWithStatus2) {
  ArbordInstance arbord;
  arbord.start(json{{"root", {{"children", json::array({{{"id", "x"}, {"shutdown", "soon"}}})}}}});
  arbord.await(R"(/root/children/0/shutdown: expected)");
  EXPECT_EQ(arbord.wait_exit(), 2);
}

TEST(Arbord, TermIgnoringChildIsKilledAtItsShutdownTime) {
  ArbordInstance arbord;
  arbord.start(tree("one_for_one", json::array({child("stubborn", {"--ignore-term", "--ready-fd", "3"},
                                                      {{"shutdown", 300}, {"ready", {{"fd", 3}}}})})));
  arbord.await(R"(tree started)");
  arbord.signal(SIGTERM);
  arbord.await(R"( stubborn: exited, pid \d+, signal KILL, reason shutdown)");
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_TRUE(arbord.no_survivors());
}

TEST(Arbord, GrandchildrenAreGoneAfterStopAndBeforeRestart) {
  ArbordInstance arbord;
  arbord.start(tree("one_for_one", json::array({child("forker", {"--ignore-term", "--fork", "5", "--ready-fd", "3"},
                                                      {{"shutdown", 200}, {"ready", {{"fd", 3}}}})}),
                    10, 5));
  arbord.await(R"(tree started)");
  const auto first = arbord.pid_of("forker");
  ASSERT_TRUE(first);
  kill(*first, SIGKILL);  // the leader dies; its 5 TERM-ignoring grandchildren remain
  arbord.await(R"( forker: restarting)");
  arbord.await(R"( forker: started)");
  // By the time the replacement started, nothing of the first group may be alive.
  EXPECT_EQ(kill(-*first, 0), -1);
  EXPECT_EQ(errno, ESRCH);
  const auto second = arbord.pid_of("forker");
  ASSERT_TRUE(second);
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_EQ(kill(-*second, 0), -1);
  EXPECT_TRUE(arbord.no_survivors());
}

TEST(Arbord, SigtermStopsTheTreeInReverseOrder) {
  ArbordInstance arbord;
  json children = json::array({child("a", {}),
                               {{"id", "s"},
                                {"type", "supervisor"},
                                {"children", json::array({child("x", {}), child("y", {})})}},
                               child("b", {})});
  arbord.start(tree("one_for_one", children));
  arbord.await(R"(tree started)");
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  std::vector<std::string> order;
  for (const auto& l : arbord.matching(R"(: exited)")) {
    const auto end = l.find(": exited");
    order.push_back(l.substr(l.rfind(' ', end) + 1, end - l.rfind(' ', end) - 1));
  }
  EXPECT_EQ(order, (std::vector<std::string>{"b", "s/y", "s/x", "s", "a", "/"}));
  EXPECT_TRUE(arbord.no_survivors());
}

TEST(Arbord, SighupReloadsTheConfig) {
  ArbordInstance arbord;
  json t = tree("one_for_one", json::array({child("a", {}), child("gone", {})}));
  arbord.start(t);
  arbord.await(R"(tree started)");
  const auto pid_a = arbord.pid_of("a");
  t["root"]["children"] = json::array({child("a", {}), child("b", {})});
  t["socket"] = arbord.path("arbord.sock");
  t["log_dir"] = arbord.path("logs");
  {
    std::ofstream out(arbord.path("arbor.json"));
    out << t.dump(2);
  }
  arbord.signal(SIGHUP);
  arbord.await(R"( gone: exited, pid \d+, signal TERM, reason shutdown)");
  arbord.await(R"( b: started)");
  arbord.await(R"(reload)");
  EXPECT_EQ(arbord.pid_of("a"), pid_a) << "an unchanged child keeps its process";
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_TRUE(arbord.no_survivors());
}

TEST(Arbord, CheckPrintsOk) {
  ArbordInstance arbord;
  arbord.start(tree("one_for_one", json::array({child("a", {})})), {"--check"});
  EXPECT_EQ(arbord.wait_exit(), 0);
}

}  // namespace
}  // namespace arbor::testing
