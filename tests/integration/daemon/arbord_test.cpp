// arbord on real processes: strategies, restart types, intensity, failed boot, stops.
#include <signal.h>

#include <sys/stat.h>

#include <cerrno>
#include <fstream>

#include <gtest/gtest.h>

#include "tests/support/arbord_instance.h"

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

json four() { return json::array({child("a", {}), child("b", {}), child("c", {}), child("d", {})}); }

json exited(const std::string& path, json exit, const std::string& reason) {
  return {{"event", "exited"}, {"path", path}, {"exit", std::move(exit)}, {"reason", reason}};
}
json code(int c) { return {{"code", c}}; }
json sig(const std::string& s) { return {{"signal", s}}; }
json event(const std::string& type, const std::string& path) { return {{"event", type}, {"path", path}}; }

// Starts four children, kills b with SIGKILL, and returns the stop/start events that follow.
std::vector<std::string> kill_b(ArbordInstance& arbord, const std::string& strategy, int expected_starts) {
  arbord.start(tree(strategy, four()));
  if (!arbord.await_ready()) return {};
  const auto pid = arbord.pid_of("b");
  EXPECT_TRUE(pid);
  if (!pid) return {};
  kill(*pid, SIGKILL);
  json killed = exited("b", sig("KILL"), "abnormal");
  killed["pid"] = *pid;
  arbord.await_event(killed);
  std::vector<std::string> order;
  for (int i = 0; i < expected_starts; ++i) {
    auto e = arbord.await_event(
        [](const json& e) {
          const std::string type = e.value("event", ""), path = e.value("path", "");
          return (type == "started" || type == "exited") && path.size() == 1 && path[0] >= 'a' &&
                 path[0] <= 'd';
        },
        "started or exited of a-d");
    if (!e) break;
    order.push_back((*e)["path"].get<std::string>() + ((*e)["event"] == "started" ? "+" : "-"));
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
                                           StrategyCase{"one_for_all",
                                                        {"d-", "c-", "a-", "a+", "b+", "c+", "d+"}},
                                           StrategyCase{"rest_for_one", {"d-", "c-", "b+", "c+", "d+"}}),
                         [](const auto& info) { return std::string(info.param.strategy); });

TEST(Arbord, TransientExitZeroStaysDownExitOneRestarts) {
  ArbordInstance arbord;
  arbord.start(tree("one_for_one",
                    json::array({child("ok", {"--after", "50", "--exit", "0"}, {{"restart", "transient"}}),
                                 child("bad", {"--after", "50", "--exit", "1"}, {{"restart", "transient"}})}),
                    100, 5),
               {}, Watch::from_boot);
  arbord.await_event(exited("ok", code(0), "normal"));
  arbord.await_event(exited("bad", code(1), "abnormal"));
  arbord.await_event(event("restarting", "bad"));
  arbord.await_event(event("started", "bad"));
  EXPECT_TRUE(arbord.events_matching(event("restarting", "ok")).empty());
  EXPECT_EQ(arbord.events_matching(event("started", "ok")).size(), 1u);
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_TRUE(arbord.no_survivors());
}

TEST(Arbord, IntensityGiveUpExitsWithStatus3) {
  ArbordInstance arbord;
  arbord.start(
      tree("one_for_one", json::array({child("flappy", {"--after", "20", "--exit", "1"}), child("calm", {})}),
           2, 10),
      {}, Watch::from_boot);
  arbord.await_event(event("gave_up", "/"));
  EXPECT_EQ(arbord.wait_exit(), 3);
  EXPECT_EQ(arbord.events_matching(event("restarting", "flappy")).size(), 2u);
  EXPECT_EQ(arbord.events_matching(exited("calm", sig("TERM"), "shutdown")).size(), 1u);
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
  arbord.start(
      tree("one_for_one", json::array({child("first", {}), json{{"id", "broken"}, {"command", {script}}},
                                       child("never", {})})),
      {}, Watch::from_boot);
  // The failed boot's message is what this tests: it stays a log line.
  arbord.await(R"(boot failed: broken could not start: exec: No such file or directory)");
  EXPECT_EQ(arbord.wait_exit(), 1);
  EXPECT_EQ(arbord.events_matching(exited("first", sig("TERM"), "shutdown")).size(), 1u);
  EXPECT_TRUE(arbord.events_matching(event("started", "never")).empty());
  EXPECT_TRUE(arbord.no_survivors());
}

TEST(Arbord, BadConfigExitsWithStatus2) {
  ArbordInstance arbord;
  arbord.start(json{{"root", {{"children", json::array({{{"id", "x"}, {"shutdown", "soon"}}})}}}});
  // The config error's text is what this tests (there is no socket, hence no event).
  arbord.await(R"(/root/children/0/shutdown: expected)");
  EXPECT_EQ(arbord.wait_exit(), 2);
}

TEST(Arbord, TermIgnoringChildIsKilledAtItsShutdownTime) {
  ArbordInstance arbord;
  arbord.start(tree("one_for_one", json::array({child("stubborn", {"--ignore-term", "--ready-fd", "3"},
                                                      {{"shutdown", 300}, {"ready", {{"fd", 3}}}})})));
  ASSERT_TRUE(arbord.await_ready());
  arbord.signal(SIGTERM);
  arbord.await_event(exited("stubborn", sig("KILL"), "shutdown"));
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_TRUE(arbord.no_survivors());
}

TEST(Arbord, GrandchildrenAreGoneAfterStopAndBeforeRestart) {
  ArbordInstance arbord;
  arbord.start(tree("one_for_one",
                    json::array({child("forker", {"--ignore-term", "--fork", "5", "--ready-fd", "3"},
                                       {{"shutdown", 200}, {"ready", {{"fd", 3}}}})}),
                    10, 5));
  ASSERT_TRUE(arbord.await_ready());
  const auto first = arbord.pid_of("forker");
  ASSERT_TRUE(first);
  kill(*first, SIGKILL);  // the leader dies; its 5 TERM-ignoring grandchildren remain
  arbord.await_event(event("restarting", "forker"));
  const auto started = arbord.await_event(event("started", "forker"));
  // By the time the replacement started, nothing of the first group may be alive.
  EXPECT_EQ(kill(-*first, 0), -1);
  EXPECT_EQ(errno, ESRCH);
  ASSERT_TRUE(started);
  const pid_t second = (*started)["pid"].get<pid_t>();
  EXPECT_EQ(arbord.pid_of("forker"), second);
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_EQ(kill(-second, 0), -1);
  EXPECT_TRUE(arbord.no_survivors());
}

TEST(Arbord, SigtermStopsTheTreeInReverseOrder) {
  ArbordInstance arbord;
  json children = json::array(
      {child("a", {}),
       {{"id", "s"}, {"type", "supervisor"}, {"children", json::array({child("x", {}), child("y", {})})}},
       child("b", {})});
  arbord.start(tree("one_for_one", children));
  ASSERT_TRUE(arbord.await_ready());
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  std::vector<std::string> order;
  for (const auto& e : arbord.events_matching({{"event", "exited"}}))
    order.push_back(e["path"].get<std::string>());
  EXPECT_EQ(order, (std::vector<std::string>{"b", "s/y", "s/x", "s", "a", "/"}));
  EXPECT_TRUE(arbord.no_survivors());
}

TEST(Arbord, SighupReloadsTheConfig) {
  ArbordInstance arbord;
  json t = tree("one_for_one", json::array({child("a", {}), child("gone", {})}));
  arbord.start(t);
  ASSERT_TRUE(arbord.await_ready());
  const auto pid_a = arbord.pid_of("a");
  ASSERT_TRUE(pid_a);
  t["root"]["children"] = json::array({child("a", {}), child("b", {})});
  t["socket"] = arbord.path("arbord.sock");
  t["log_dir"] = arbord.path("logs");
  {
    std::ofstream out(arbord.path("arbor.json"));
    out << t.dump(2);
  }
  arbord.signal(SIGHUP);
  arbord.await_event(exited("gone", sig("TERM"), "shutdown"));
  arbord.await_event(event("started", "b"));
  arbord.await_event(event("reloaded", "/"));
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
