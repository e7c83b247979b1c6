// arborctl's messages and tables as people meet them (issue 11's rough edges), against a
// real arbord: unknown commands, paths, --json errors, backoff, one worker's output,
// colours, the default socket and another user's socket.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "tests/support/arbord_instance.h"
#include "tests/support/proc.h"

namespace arbor::testing {
namespace {

using nlohmann::json;

const json kChildren = json::parse(
    R"([{"id": "a", "command": ["/bin/sh", "-c", "echo hello; echo world; exec sleep 1000"]},
        {"id": "b", "command": ["/bin/false"], "backoff": {"initial_ms": 30000, "max_ms": 60000}},
        {"id": "web", "type": "supervisor",
         "children": [{"id": "api", "command": ["/bin/sleep", "1000"]}]}])");

class RoughEdgesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The socket in a directory of its own (s/), which a test opens up to another user.
    d.start({{"socket", d.path("s/arbord.sock")}, {"root", {{"children", kChildren}}}});
    ASSERT_TRUE(d.await_ready());
  }
  RunResult ctl(std::vector<std::string> args) { return arborctl(d.socket(), std::move(args)); }
  // Runs arborctl on our arbord with `env` (NAME=VALUE) added.
  RunResult ctl_env(const std::vector<std::string>& env, std::vector<std::string> args) {
    std::vector<std::string> argv{"/usr/bin/env"};
    argv.insert(argv.end(), env.begin(), env.end());
    argv.insert(argv.end(), {ARBORCTL_BIN, "--socket", d.socket()});
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv);
  }
  // Waits (bounded) until `path` is in `state`.
  bool await_state(const std::string& path, const std::string& state) {
    return ctl({"wait", path, "--state", state, "--timeout", "20000"}).status == 0;
  }
  ArbordInstance d;
};

TEST_F(RoughEdgesTest, AnUnknownCommandIsNamedWithTheCloseOnes) {
  RunResult typo = ctl({"statu"});
  EXPECT_EQ(typo.status, 2);
  EXPECT_NE(typo.err.find("arborctl: unknown command \"statu\"; did you mean status?"), std::string::npos)
      << typo.err;
  RunResult foo = ctl({"foo", "bar"});
  EXPECT_EQ(foo.status, 2);
  EXPECT_NE(foo.err.find("unknown command \"foo\"; the commands are status, count, spec,"), std::string::npos)
      << foo.err;
  EXPECT_EQ(foo.err.find("subcommand"), std::string::npos) << foo.err;
}

TEST_F(RoughEdgesTest, ABadPathIsAUsageErrorInPlainWords) {
  RunResult r = ctl({"status", "web/api/"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("\"web/api/\" is not a child path"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("args."), std::string::npos) << r.err;
}

TEST_F(RoughEdgesTest, WithJsonEveryErrorIsOneDocumentOnStdout) {
  RunResult refused = ctl({"--json", "status", "nope"});
  EXPECT_EQ(refused.status, 1);
  json e = json::parse(refused.out, nullptr, false);
  EXPECT_EQ(e["error"]["code"], "not_found") << refused.out;
  EXPECT_EQ(e["error"]["message"], "no child at nope");
  EXPECT_EQ(refused.err, "");
  RunResult usage = ctl({"--json", "frobnicate"});
  EXPECT_EQ(usage.status, 2);
  EXPECT_EQ(json::parse(usage.out, nullptr, false)["error"]["code"], "usage") << usage.out;
  RunResult gone = run({ARBORCTL_BIN, "--socket", d.path("none.sock"), "status", "--json"});
  EXPECT_EQ(gone.status, 3);
  json g = json::parse(gone.out, nullptr, false);
  EXPECT_EQ(g["error"]["code"], "unreachable") << gone.out;
  EXPECT_NE(g["error"]["message"].get<std::string>().find(d.path("none.sock")), std::string::npos);
}

TEST_F(RoughEdgesTest, BackoffShowsTheTimeLeftBeforeTheRestart) {
  ASSERT_TRUE(await_state("b", "restarting"));
  RunResult table = ctl({"status"});
  // 30 s with the backoff's jitter.
  // Columns: PATH TYPE STATE HEALTH PID RESTARTS UPTIME.
  const std::regex row(R"(\n  b +worker +restarting +- +- +0 +restart in [2-4][0-9]s )");
  EXPECT_TRUE(std::regex_search(table.out, row)) << table.out;
}

TEST_F(RoughEdgesTest, StatusOfOneWorkerShowsItsLastOutputLines) {
  // The worker's output reaches its log file with no event to await: polled, bounded.
  EXPECT_TRUE(poll_until([&] { return ctl({"logs", "a"}).out == "hello\nworld\n"; }, 5s));
  RunResult one = ctl({"status", "a"});
  EXPECT_EQ(one.status, 0);
  EXPECT_NE(one.out.find("\nlast 2 lines of " + d.dir() + "/logs/a.log:\n  hello\n  world\n"),
            std::string::npos)
      << one.out;
  EXPECT_EQ(ctl({"status"}).out.find("last "), std::string::npos) << "only for one worker";
  EXPECT_EQ(json::parse(ctl({"--json", "status", "a"}).out)["path"], "a") << "--json: the node only";
}

TEST_F(RoughEdgesTest, RedIsForFailuresNotForAnOperatorsStop) {
  ASSERT_EQ(ctl({"stop", "web/api"}).status, 0);
  ASSERT_TRUE(await_state("b", "restarting"));
  RunResult table = ctl_env({"CLICOLOR_FORCE=1"}, {"status"});
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
  RunResult help = run({"/usr/bin/env", "ARBOR_SOCKET=/tmp/elsewhere.sock", ARBORCTL_BIN, "--help"});
  EXPECT_NE(help.out.find("--socket TEXT=/tmp/elsewhere.sock"), std::string::npos) << help.out;
  if (::geteuid() != 0 || ::access("/usr/bin/setpriv", X_OK) != 0) GTEST_SKIP() << "needs root and setpriv";
  // A user's default is under $XDG_RUNTIME_DIR, not root's /run/arbor.
  ::chmod(d.dir().c_str(), 0755);
  RunResult user =
      run({"/usr/bin/env", "-u", "ARBOR_SOCKET", "XDG_RUNTIME_DIR=" + d.dir(), "/usr/bin/setpriv",
           "--reuid=65534", "--regid=65534", "--clear-groups", ARBORCTL_BIN, "--help"});
  EXPECT_NE(user.out.find("--socket TEXT=" + d.path("arbor/arbord.sock")), std::string::npos) << user.out;
}

TEST_F(RoughEdgesTest, AnotherUsersSocketSaysWhoseItIsAndHowToReachIt) {
  if (::geteuid() != 0 || ::access("/usr/bin/setpriv", X_OK) != 0) GTEST_SKIP() << "needs root and setpriv";
  // nobody may walk to the socket, which stays 0600 and root's: connect() is refused.
  ::chmod(d.dir().c_str(), 0755);
  ::chmod(d.path("s").c_str(), 0755);
  RunResult r = run({"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", ARBORCTL_BIN,
                     "--socket", d.socket(), "status"});
  EXPECT_EQ(r.status, 3);
  EXPECT_NE(r.err.find("Permission denied"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("the socket belongs to root's arbord"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("sudo arborctl"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--socket PATH or $ARBOR_SOCKET"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace arbor::testing
