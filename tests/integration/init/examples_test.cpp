// examples/container/ (docs/CONTAINERS.md): Docker is not available to the tests, so the
// parts that can be checked without it are: the trees pass `arbord --check` (the image's
// binaries, such as nginx, swapped for /bin/sh where this machine lacks them), the
// Kubernetes grace period is what grace-period.py derives from the tree, and the Dockerfile
// and manifest probe with `arborctl check`.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "tests/support/arbord_instance.h"
#include "tests/support/proc.h"

namespace arbor::testing {
namespace {

using nlohmann::json;

const std::string kDir = std::string(ARBOR_SOURCE_DIR) + "/examples/container/";

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool on_path(const std::string& name) {
  if (name.empty() || name[0] == '/') return access(name.c_str(), X_OK) == 0;
  std::stringstream path(std::getenv("PATH") != nullptr ? std::getenv("PATH") : "/usr/bin:/bin");
  for (std::string dir; std::getline(path, dir, ':');) {
    dir.append("/").append(name);
    if (access(dir.c_str(), X_OK) == 0) return true;
  }
  return false;
}

// Every worker's command[0] that this machine lacks becomes /bin/sh.
void swap_missing(json& node) {
  if (node.contains("command") && !on_path(node["command"][0].get<std::string>()))
    node["command"][0] = "/bin/sh";
  if (node.contains("children"))
    for (auto& c : node["children"]) swap_missing(c);
}

class ContainerExample : public ::testing::TestWithParam<const char*> {};

TEST_P(ContainerExample, PassesArbordCheck) {
  json tree = json::parse(read(kDir + GetParam()), nullptr, true, /*ignore_comments=*/true);
  ASSERT_TRUE(tree.contains("root"));
  swap_missing(tree["root"]);
  ArbordInstance scratch;  // its temporary directory
  const std::string file = scratch.path("tree.json");
  std::ofstream(file) << tree.dump(2);
  const RunResult r = run({ARBORD_BIN, "--check", "--config", file});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "ok\n");
}

INSTANTIATE_TEST_SUITE_P(Trees, ContainerExample, ::testing::Values("tree.json", "job.json"),
                         [](const auto& info) {
                           const std::string name = info.param;
                           return name.substr(0, name.find('.'));
                         });

TEST(ContainerExample, GracePeriodIsDerivedFromTheTree) {
  if (access("/usr/bin/python3", X_OK) != 0) GTEST_SKIP() << "no /usr/bin/python3 to run grace-period.py";
  const RunResult r = run({"/usr/bin/python3", kDir + "grace-period.py", kDir + "tree.json"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "25\n");  // nginx 10 s + app/worker 5 s + app/api 5 s, + 5 s margin
  EXPECT_NE(read(kDir + "kubernetes.yaml").find("terminationGracePeriodSeconds: " + r.out.substr(0, 2)),
            std::string::npos);
}

TEST(ContainerExample, ProbesUseArborctlCheck) {
  const std::string dockerfile = read(kDir + "Dockerfile");
  EXPECT_NE(dockerfile.find("HEALTHCHECK"), std::string::npos);
  EXPECT_NE(dockerfile.find(R"(CMD ["arborctl", "check"])"), std::string::npos);
  EXPECT_NE(dockerfile.find(R"(ENTRYPOINT ["/usr/sbin/arbord"])"), std::string::npos);
  EXPECT_NE(dockerfile.find("FROM debian:12"), std::string::npos);
  const std::string manifest = read(kDir + "kubernetes.yaml");
  for (const char* probe : {"readinessProbe", "livenessProbe"}) {
    const auto at = manifest.find(probe);
    ASSERT_NE(at, std::string::npos) << probe;
    EXPECT_EQ(manifest.find(R"(exec: {command: ["arborctl", "check"]})", at), manifest.find("exec:", at))
        << probe;
  }
}

// The example's tree for real, as far as this machine allows without Docker: nginx, the
// Python API and its worker under arbord as PID 1 of a pid and network namespace of their
// own (so ports 8000 and 8080 collide with nothing), paths moved from the image's to a
// temporary directory. nginx answers with the API's reply, `arborctl check` is ok, and a
// SIGTERM stops nginx, app/worker, app/api in that order.
TEST(ContainerExample, TheServiceRunsUnderArbordAsPid1) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root (a network namespace entered with nsenter)";
  for (const char* tool : {"/usr/sbin/nginx", "/usr/bin/python3", "/usr/bin/curl", "/usr/bin/nsenter"}) {
    if (access(tool, X_OK) != 0) GTEST_SKIP() << tool << " is not installed";
  }
  ArbordInstance arbord;
  const std::string run_dir = arbord.path("run");
  ASSERT_EQ(::mkdir(run_dir.c_str(), 0777), 0);
  ::chmod(run_dir.c_str(), 0777);  // nginx's workers run as nobody
  std::string conf = read(kDir + "nginx.conf");
  for (std::size_t at; (at = conf.find("/run/app")) != std::string::npos;) conf.replace(at, 8, run_dir);
  std::ofstream(arbord.path("nginx.conf")) << conf;
  json tree = json::parse(read(kDir + "tree.json"), nullptr, true, /*ignore_comments=*/true);
  auto& app = tree["root"]["children"][0]["children"];
  app[0]["command"][1] = kDir + "app.py";
  app[1]["command"][1] = kDir + "worker.py";
  auto& nginx = tree["root"]["children"][1]["command"];
  nginx[4] = arbord.path("nginx.conf");
  ASSERT_EQ(nginx[3], "-c");
  arbord.set_launch({{"/usr/bin/unshare", "--net", "--pid", "--fork", "--mount-proc", "--kill-child",
                      "/bin/sh", "-c", "ip link set lo up && exec \"$0\" \"$@\""},
                     std::nullopt});
  arbord.start(tree);
  ASSERT_TRUE(arbord.await_ready(20s));
  const std::string pid1 = std::to_string(arbord.arbord_pid());
  const RunResult get = run({"/usr/bin/nsenter", "--target", pid1, "--net", "/usr/bin/curl", "-sS",
                             "--max-time", "5", "http://127.0.0.1:8080/hello"});
  EXPECT_EQ(get.status, 0) << get.err;
  EXPECT_NE(get.out.find("\"path\": \"/hello\""), std::string::npos) << get.out;
  const RunResult check = arborctl(arbord.socket(), {"check"});
  EXPECT_EQ(check.status, 0) << check.out << check.err;
  EXPECT_EQ(check.out, "ok: 3 workers running\n");
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(20s), 0);
  std::vector<std::string> order;
  for (const auto& e : arbord.events_matching({{"event", "exited"}})) {
    if (e["path"] != "/" && e["path"] != "app") order.push_back(e["path"].get<std::string>());
  }
  EXPECT_EQ(order, (std::vector<std::string>{"nginx", "app/worker", "app/api"}));
  EXPECT_TRUE(arbord.no_survivors());
}

}  // namespace
}  // namespace arbor::testing
