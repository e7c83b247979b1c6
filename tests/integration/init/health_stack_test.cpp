// examples/health-stack.json for real (issue 14): Redis, Python's http.server and nginx from
// Debian's packages, none of which speaks sd_notify, started in order by tcp and http
// readiness probes and watched by exec and http health checks. arbord runs in a
// network and pid namespace of its own (ports 6380, 8000 and 80 collide with nothing);
// only Redis's working directory (it writes dump.rdb there) and the probe timings (so the
// test takes seconds, not a minute) differ from the example. A Redis that hangs (SIGSTOP:
// alive, but no PING answered) is stopped after 3 failed checks, its exit says
// "health": true, and rest_for_one restarts the app and nginx after it.
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "tests/support/arbord_instance.h"
#include "tests/support/proc.h"

namespace arbor::testing {
namespace {

using nlohmann::json;

json example() {
  std::ifstream in(std::string(ARBOR_SOURCE_DIR) + "/examples/health-stack.json");
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str(), nullptr, true, /*ignore_comments=*/true);
}

std::string skip_reason() {
  if (geteuid() != 0) return "needs root (users redis and www-data, a network namespace)";
  for (const char* tool : {"/usr/bin/redis-server", "/usr/bin/redis-cli", "/usr/bin/python3",
                           "/usr/sbin/nginx", "/usr/bin/unshare", "/usr/sbin/ip"}) {
    if (access(tool, X_OK) != 0) return std::string(tool) + " is not installed (scripts/install-deps.sh)";
  }
  for (const char* user : {"redis", "www-data"})
    if (getpwnam(user) == nullptr) return std::string("no user ") + user;
  if (access("/var/www/html", R_OK) != 0) return "no /var/www/html (the app's cwd)";
  return {};
}

json status_of(ArbordInstance& arbord) {
  const auto reply = arbord.request("status", json::object());
  return reply ? (*reply)["result"] : json();
}

int pid_in(const json& status, const std::string& path) {
  const json* n = find_node(status, path);
  return n != nullptr && n->contains("pid") && (*n)["pid"].is_number() ? (*n)["pid"].get<int>() : 0;
}

TEST(HealthStack, StartsInOrderByProbesAndAHungRedisRestartsWhatFollowsIt) {
  if (const std::string why = skip_reason(); !why.empty()) GTEST_SKIP() << why;
  ArbordInstance arbord;
  const std::string redis_dir = arbord.path("redis");
  ASSERT_EQ(::mkdir(redis_dir.c_str(), 0777), 0);
  ::chmod(redis_dir.c_str(), 0777);
  json tree = example();
  tree.erase("socket");
  tree.erase("log_dir");
  json& redis = tree["root"]["children"][0];
  ASSERT_EQ(redis["id"], "redis");
  redis["cwd"] = redis_dir;
  redis["health"]["interval"] = 300;
  redis["health"]["timeout"] = 500;
  redis["shutdown"] = 5000;
  tree["root"]["children"][1]["health"]["interval"] = 500;
  tree["root"]["children"][1]["health"]["start_period"] = 0;
  tree["root"]["children"][2]["health"]["interval"] = 500;
  arbord.set_launch({{"/usr/bin/unshare", "--net", "--pid", "--fork", "--mount-proc", "--kill-child",
                      "/bin/sh", "-c", "ip link set lo up && exec \"$0\" \"$@\""},
                     std::nullopt});
  arbord.start(tree, {}, Watch::from_boot);
  ASSERT_TRUE(arbord.await_ready(60s));
  // Readiness by probe gated each start: started (once ready) in the file's order.
  std::vector<std::string> order;
  for (const auto& e : arbord.events_matching({{"event", "started"}})) {
    if (e["path"] != "/" && e["path"] != "gate")
      order.push_back(e["path"].get<std::string>());  // gate: Watch::from_boot
  }
  EXPECT_EQ(order, (std::vector<std::string>{"redis", "app", "nginx"}));
  // Every health check passes against the real programs.
  EXPECT_TRUE(poll_until(
      [&] {
        const json s = status_of(arbord);
        for (const char* path : {"redis", "app", "nginx"}) {
          const json* n = find_node(s, path);
          if (n == nullptr || n->value("health", "") != "healthy") return false;
        }
        return true;
      },
      30s))
      << arborctl(arbord.socket(), {"status"}).out;
  const json before = status_of(arbord);

  // Redis hangs: alive, answering nothing. PING times out three times: stopped (SIGTERM
  // and SIGCONT), and its exit is a health failure.
  ASSERT_EQ(arborctl(arbord.socket(), {"signal", "redis", "STOP"}).status, 0);
  const auto sick = arbord.await_event({{"event", "unhealthy"}, {"path", "redis"}}, 30s);
  ASSERT_TRUE(sick);
  EXPECT_EQ((*sick)["failures"], 3);
  EXPECT_NE((*sick)["error"].get<std::string>().find("exec: "), std::string::npos) << sick->dump();
  const auto exited = arbord.await_event({{"event", "exited"}, {"path", "redis"}}, 30s);
  ASSERT_TRUE(exited);
  EXPECT_EQ((*exited)["health"], true) << exited->dump();
  // rest_for_one: the app and nginx after it are restarted too, in order, once ready.
  for (const char* path : {"redis", "app", "nginx"})
    EXPECT_TRUE(arbord.await_event({{"event", "started"}, {"path", path}}, 60s)) << path;
  const json after = status_of(arbord);
  for (const char* path : {"redis", "app", "nginx"}) {
    EXPECT_NE(pid_in(after, path), 0) << path;
    EXPECT_NE(pid_in(after, path), pid_in(before, path)) << path << " was not restarted";
  }
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(30s), 0);
  EXPECT_TRUE(arbord.no_survivors());
}

}  // namespace
}  // namespace arbor::testing
