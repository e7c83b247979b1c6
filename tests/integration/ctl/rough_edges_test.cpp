// arborctl's messages and tables as people meet them (issue 11's rough edges), against a
// real arbord: unknown commands, paths, --json errors, backoff, one worker's output,
// colours, the default socket and another user's socket.
#include <sys/stat.h>

#include <regex>
#include <sstream>

#include "tests/integration/ctl/harness.h"

namespace arbor::ctl_test {
namespace {

const std::string kChildren =
    R"({"id": "a", "command": ["/bin/sh", "-c", "echo hello; echo world; exec sleep 1000"]},
       {"id": "b", "command": ["/bin/false"], "backoff": {"initial_ms": 30000, "max_ms": 60000}},
       {"id": "web", "type": "supervisor", "children": [{"id": "api", "command": ["/bin/sleep", "1000"]}]})";

class RoughEdgesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    d.start();
    ASSERT_TRUE(d.ready()) << d.log();
    d.collect_pids(d.status());
  }
  void TearDown() override {
    if (HasFailure()) std::fprintf(stderr, "arbord log:\n%s\n", d.log().c_str());
  }
  // Runs arborctl on our arbord with `env` (NAME=VALUE) added.
  Result ctl_env(const std::vector<std::string>& env, std::vector<std::string> args) {
    std::vector<std::string> argv{"/usr/bin/env"};
    argv.insert(argv.end(), env.begin(), env.end());
    argv.insert(argv.end(), {ARBORCTL_BIN, "--socket", d.socket});
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv);
  }
  // Waits (bounded) until `path` is in `state`.
  bool await_state(const std::string& path, const std::string& state) {
    return d.ctl({"wait", path, "--state", state, "--timeout", "5000"}).status == 0;
  }
  Arbord d{kChildren};
};

TEST_F(RoughEdgesTest, AnUnknownCommandIsNamedWithTheCloseOnes) {
  Result typo = d.ctl({"statu"});
  EXPECT_EQ(typo.status, 2);
  EXPECT_NE(typo.err.find("arborctl: unknown command \"statu\"; did you mean status?"), std::string::npos)
      << typo.err;
  Result foo = d.ctl({"foo", "bar"});
  EXPECT_EQ(foo.status, 2);
  EXPECT_NE(foo.err.find("unknown command \"foo\"; the commands are status, count, spec,"), std::string::npos)
      << foo.err;
  EXPECT_EQ(foo.err.find("subcommand"), std::string::npos) << foo.err;
}

TEST_F(RoughEdgesTest, ABadPathIsAUsageErrorInPlainWords) {
  Result r = d.ctl({"status", "web/api/"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("\"web/api/\" is not a child path"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("args."), std::string::npos) << r.err;
}

TEST_F(RoughEdgesTest, WithJsonEveryErrorIsOneDocumentOnStdout) {
  Result refused = d.ctl({"--json", "status", "nope"});
  EXPECT_EQ(refused.status, 1);
  json e = json::parse(refused.out, nullptr, false);
  EXPECT_EQ(e["error"]["code"], "not_found") << refused.out;
  EXPECT_EQ(e["error"]["message"], "no child at nope");
  EXPECT_EQ(refused.err, "");
  Result usage = d.ctl({"--json", "frobnicate"});
  EXPECT_EQ(usage.status, 2);
  EXPECT_EQ(json::parse(usage.out, nullptr, false)["error"]["code"], "usage") << usage.out;
  Result gone = run({ARBORCTL_BIN, "--socket", d.dir + "/none.sock", "status", "--json"});
  EXPECT_EQ(gone.status, 3);
  json g = json::parse(gone.out, nullptr, false);
  EXPECT_EQ(g["error"]["code"], "unreachable") << gone.out;
  EXPECT_NE(g["error"]["message"].get<std::string>().find(d.dir + "/none.sock"), std::string::npos);
}

TEST_F(RoughEdgesTest, BackoffShowsTheTimeLeftBeforeTheRestart) {
  ASSERT_TRUE(await_state("b", "restarting"));
  Result table = d.ctl({"status"});
  // 30 s with the backoff's jitter.
  EXPECT_TRUE(
      std::regex_search(table.out, std::regex(R"(\n  b +worker +restarting +- +0 +restart in [2-4][0-9]s )")))
      << table.out;
}

TEST_F(RoughEdgesTest, StatusOfOneWorkerShowsItsLastOutputLines) {
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  while (Clock::now() < deadline && d.ctl({"logs", "a"}).out != "hello\nworld\n") ::poll(nullptr, 0, 20);
  Result one = d.ctl({"status", "a"});
  EXPECT_EQ(one.status, 0);
  EXPECT_NE(one.out.find("\nlast 2 lines of " + d.dir + "/logs/a.log:\n  hello\n  world\n"),
            std::string::npos)
      << one.out;
  EXPECT_EQ(d.ctl({"status"}).out.find("last "), std::string::npos) << "only for one worker";
  EXPECT_EQ(json::parse(d.ctl({"--json", "status", "a"}).out)["path"], "a") << "--json: the node only";
}

TEST_F(RoughEdgesTest, RedIsForFailuresNotForAnOperatorsStop) {
  ASSERT_EQ(d.ctl({"stop", "web/api"}).status, 0);
  ASSERT_TRUE(await_state("b", "restarting"));
  Result table = ctl_env({"CLICOLOR_FORCE=1"}, {"status"});
  std::istringstream lines(table.out);
  std::string api, b;
  for (std::string line; std::getline(lines, line);) {
    if (line.find("web/api") != std::string::npos) api = line;
    if (line.rfind("  b ", 0) == 0) b = line;
  }
  EXPECT_NE(api.find("stopped"), std::string::npos) << table.out;
  EXPECT_EQ(api.find("\033[31m"), std::string::npos) << "a stopped worker is not red: " << api;
  EXPECT_NE(b.find("\033[31mcode 1\033[0m"), std::string::npos) << "a failed exit is: " << b;
  EXPECT_EQ(ctl_env({"CLICOLOR_FORCE=1", "NO_COLOR=1"}, {"status"}).out.find("\033["), std::string::npos);
}

TEST_F(RoughEdgesTest, HelpShowsTheDefaultSocketOfThisUser) {
  Result help = run({"/usr/bin/env", "ARBOR_SOCKET=/tmp/elsewhere.sock", ARBORCTL_BIN, "--help"});
  EXPECT_NE(help.out.find("--socket TEXT=/tmp/elsewhere.sock"), std::string::npos) << help.out;
  if (::geteuid() != 0 || ::access("/usr/bin/setpriv", X_OK) != 0) GTEST_SKIP() << "needs root and setpriv";
  // A user's default is under $XDG_RUNTIME_DIR, not root's /run/arbor.
  ::chmod(d.dir.c_str(), 0755);
  Result user = run({"/usr/bin/env", "-u", "ARBOR_SOCKET", "XDG_RUNTIME_DIR=" + d.dir, "/usr/bin/setpriv",
                     "--reuid=65534", "--regid=65534", "--clear-groups", ARBORCTL_BIN, "--help"});
  EXPECT_NE(user.out.find("--socket TEXT=" + d.dir + "/arbor/arbord.sock"), std::string::npos) << user.out;
}

TEST_F(RoughEdgesTest, AnotherUsersSocketSaysWhoseItIsAndHowToReachIt) {
  if (::geteuid() != 0 || ::access("/usr/bin/setpriv", X_OK) != 0) GTEST_SKIP() << "needs root and setpriv";
  // nobody may walk to the socket, which stays 0600 and root's: connect() is refused.
  ::chmod(d.dir.c_str(), 0755);
  ::chmod((d.dir + "/s").c_str(), 0755);
  Result r = run({"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", ARBORCTL_BIN,
                  "--socket", d.socket, "status"});
  EXPECT_EQ(r.status, 3);
  EXPECT_NE(r.err.find("Permission denied"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("the socket belongs to root's arbord"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("sudo arborctl"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--socket PATH or $ARBOR_SOCKET"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace arbor::ctl_test
