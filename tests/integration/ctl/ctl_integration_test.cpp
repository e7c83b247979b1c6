// arborctl against a real arbord: every command, exit codes, socket rules (docs/ARBORCTL.md).
// arbord is tests/support's ArbordInstance (ready at its READY=1); arborctl is the real
// binary, run to its exit with its stdout and stderr apart.
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "arbor_version.h"
#include "tests/support/arbord_instance.h"
#include "tests/support/control.h"
#include "tests/support/proc.h"

namespace arbor::testing {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

const json kChildren = json::parse(
    R"([{"id": "a", "command": ["/bin/sh", "-c", "echo hello; echo world; exec sleep 1000"]},
        {"id": "web", "type": "supervisor", "children": [{"id": "api", "command": ["/bin/sleep", "1000"]}]},
        {"id": "jobs", "type": "dynamic_supervisor", "max_children": 1,
         "template": {"command": ["/bin/sleep"], "restart": "temporary"}}])");

const json kSleeper = json::array({{{"id", "a"}, {"command", {"/bin/sleep", "1000"}}}});

// The config: `children` under the root, the socket in a directory of its own (s/, which
// the tests of permissions open up to another user).
json tree(const ArbordInstance& d, const json& children, const std::string& socket = "") {
  return {{"socket", socket.empty() ? d.path("s/arbord.sock") : socket}, {"root", {{"children", children}}}};
}

class CtlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    d.start(tree(d, kChildren));
    ASSERT_TRUE(d.await_ready());
  }
  RunResult ctl(std::vector<std::string> args, std::chrono::milliseconds timeout = 10s) {
    return arborctl(d.socket(), std::move(args), timeout);
  }
  json status(const std::string& path = "/") { return json::parse(ctl({"--json", "status", path}).out); }
  ArbordInstance d;
};

TEST_F(CtlTest, StatusJsonAndTable) {
  json root = status();
  EXPECT_EQ(root["path"], "/");
  EXPECT_EQ(root["children"][0]["state"], "running");
  EXPECT_EQ(root["children"][1]["children"][0]["path"], "web/api");
  RunResult table = ctl({"status"});
  EXPECT_EQ(table.status, 0);
  EXPECT_NE(table.out.find("PATH"), std::string::npos);
  EXPECT_NE(table.out.find("    web/api"), std::string::npos) << table.out;
  EXPECT_EQ(table.out.find("\033["), std::string::npos) << "no colour when stdout is not a terminal";
}

TEST_F(CtlTest, StopStartRestartSignalWait) {
  EXPECT_EQ(ctl({"stop", "web/api"}).status, 0);
  EXPECT_EQ(status("web/api")["state"], "stopped");
  EXPECT_EQ(ctl({"wait", "web/api", "--state", "stopped", "--timeout", "2000"}).status, 0);
  RunResult refused = ctl({"wait", "web/api", "--timeout", "100"});
  EXPECT_EQ(refused.status, 1);
  EXPECT_NE(refused.err.find("arborctl: timeout:"), std::string::npos) << refused.err;
  EXPECT_EQ(ctl({"start", "web/api"}).status, 0);
  const int pid = status("web/api")["pid"];
  EXPECT_EQ(ctl({"restart", "web/api"}).status, 0);
  EXPECT_NE(status("web/api")["pid"], pid);
  // The restart is over once web/api has started again: a `wait` for running could answer
  // before arbord has even seen the exit (it was flaky so).
  Control watcher;
  ASSERT_TRUE(watcher.connect(d.socket(), 0ms));
  ASSERT_TRUE(watcher.watch());
  EXPECT_EQ(ctl({"signal", "web/api", "KILL"}).status, 0);
  for (;;) {
    const auto e = watcher.next_event();
    ASSERT_TRUE(e) << "web/api was not started again";
    if ((*e)["event"] == "started" && (*e)["path"] == "web/api") break;
  }
  EXPECT_EQ(status("web/api")["restarts"], 1);
  RunResult r = ctl({"start", "web/api"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("arborctl: running: "), std::string::npos) << r.err;
  EXPECT_EQ(ctl({"signal", "web/api", "NOPE"}).status, 1);
}

TEST_F(CtlTest, AddRemoveCountSpec) {
  RunResult added = ctl({"add", "jobs", "--", "300"});
  EXPECT_EQ(added.status, 0);
  EXPECT_EQ(added.out, "jobs/1\n");
  RunResult full = ctl({"add", "jobs", "--", "300"});
  EXPECT_EQ(full.status, 1);
  EXPECT_NE(full.err.find("max_children"), std::string::npos);
  EXPECT_EQ(json::parse(ctl({"--json", "count", "jobs"}).out)["active"], 1);
  const std::string spec_file = d.path("spec.json");
  std::ofstream(spec_file) << R"({"id": "extra", "command": ["/bin/sleep", "1000"]})";
  RunResult add = ctl({"--json", "add", "web", "--spec", "@" + spec_file});
  EXPECT_EQ(json::parse(add.out), (json{{"path", "web/extra"}}));
  json spec = json::parse(ctl({"spec", "web/extra"}).out);
  EXPECT_EQ(spec["command"][0], "/bin/sleep");
  EXPECT_EQ(ctl({"remove", "web/extra"}).status, 1);
  EXPECT_EQ(ctl({"stop", "web/extra"}).status, 0);
  EXPECT_EQ(ctl({"remove", "web/extra"}).status, 0);
  EXPECT_EQ(ctl({"spec", "web/extra"}).status, 1);
  EXPECT_EQ(ctl({"add", "web", "--spec", "{nope"}).status, 2);
  RunResult bad = ctl({"add", "web", "--spec", R"({"id": "y"})"});
  EXPECT_EQ(bad.status, 1);
  EXPECT_NE(bad.err.find("bad_spec"), std::string::npos);
}

TEST_F(CtlTest, LogsAndFollow) {
  // The worker's output reaches its log file with no event to await: polled, bounded.
  EXPECT_TRUE(poll_until(
      [&] {
        return ctl({"logs", "a"}).out == "hello\nworld\n";
      },
      5s))
      << ctl({"logs", "a"}).out;
  EXPECT_EQ(ctl({"logs", "a", "-n", "1"}).out, "world\n");
  EXPECT_EQ(ctl({"--json", "logs", "a", "-n", "1"}).out, "{\"line\":\"world\",\"path\":\"a\"}\n");
  // follow: restart the worker so it writes again while we follow.
  Control follow;
  ASSERT_TRUE(follow.connect(d.socket(), 0ms));
  const auto reply = follow.call("logs", {{"path", "a"}, {"lines", 0}, {"follow", true}});
  ASSERT_TRUE(reply);
  EXPECT_TRUE(reply->value("ok", false)) << reply->dump();
  EXPECT_EQ(ctl({"restart", "a"}).status, 0);
  for (const char* expected : {"hello", "world"}) {
    const auto line = follow.next_reply();
    ASSERT_TRUE(line) << "no line " << expected;
    EXPECT_EQ((*line)["line"], expected) << line->dump();
  }
}

TEST_F(CtlTest, WatchSeesEvents) {
  Control watcher;
  ASSERT_TRUE(watcher.connect(d.socket(), 0ms));
  ASSERT_TRUE(watcher.watch());
  EXPECT_EQ(ctl({"stop", "web/api"}).status, 0);
  const auto command = watcher.next_event();  // the operator's command, then what it did
  ASSERT_TRUE(command);
  EXPECT_EQ((*command)["event"], "command");
  EXPECT_EQ((*command)["command"], "stop");
  EXPECT_EQ((*command)["uid"], ::getuid());
  EXPECT_EQ((*command)["cause"], nullptr);
  const auto e = watcher.next_event();
  ASSERT_TRUE(e);
  EXPECT_EQ((*e)["event"], "exited");
  EXPECT_EQ((*e)["path"], "web/api");
  EXPECT_EQ((*e)["reason"], "shutdown");
  EXPECT_TRUE((*e)["seq"].is_number());
  EXPECT_EQ((*e)["cause"], (*command)["seq"]);
}

// A watcher that drops and reconnects with --since misses nothing and sees nothing twice,
// events that happened while it was away included.
TEST_F(CtlTest, WatchSinceResumesAfterAReconnectWithNoGapAndNoDuplicate) {
  std::uint64_t last_seen = 0;
  {
    Control first;
    ASSERT_TRUE(first.connect(d.socket(), 0ms));
    ASSERT_TRUE(first.watch());
    EXPECT_EQ(ctl({"stop", "web/api"}).status, 0);
    const auto command = first.next_event();
    ASSERT_TRUE(command);
    EXPECT_EQ((*command)["event"], "command");
    const auto e = first.next_event();
    ASSERT_TRUE(e);
    last_seen = (*e)["seq"].get<std::uint64_t>();
  }  // hangs up with the start below still to come
  EXPECT_EQ(ctl({"start", "web/api"}).status, 0);
  EXPECT_EQ(ctl({"restart", "web/api"}).status, 0);

  Control again;
  ASSERT_TRUE(again.connect(d.socket(), 0ms));
  const auto reply = again.call("watch", {{"since", last_seen}});
  ASSERT_TRUE(reply);
  ASSERT_TRUE(reply->value("ok", false)) << *reply;
  std::uint64_t expect = last_seen + 1;
  int starts = 0;
  while (starts < 2) {  // the start, then the restart's start, replayed
    const auto e = again.next_event();
    ASSERT_TRUE(e) << "no event " << expect;
    EXPECT_EQ((*e)["seq"].get<std::uint64_t>(), expect++);
    if ((*e)["event"] == "started" && (*e)["path"] == "web/api") ++starts;
  }
  EXPECT_EQ(ctl({"stop", "web/api"}).status, 0);  // then live, in the same sequence
  const auto live = again.next_event();
  ASSERT_TRUE(live);
  EXPECT_EQ((*live)["seq"].get<std::uint64_t>(), expect);
  EXPECT_EQ((*live)["event"], "command");
  const auto exited = again.next_event();
  ASSERT_TRUE(exited);
  EXPECT_EQ((*exited)["seq"].get<std::uint64_t>(), expect + 1);
  EXPECT_EQ((*exited)["event"], "exited");

  RunResult future = ctl({"watch", "--since", std::to_string(expect + 101)});
  EXPECT_EQ(future.status, 1);
  EXPECT_NE(future.err.find("not_found"), std::string::npos) << future.err;
  EXPECT_EQ(ctl({"watch", "--since", "-3"}).status, 2);
}

TEST_F(CtlTest, VersionAndUsage) {
  RunResult v = ctl({"--json", "version"});
  EXPECT_EQ(json::parse(v.out),
            (json{{"arborctl", ARBOR_VERSION}, {"arbord", ARBOR_VERSION}, {"protocol", 2}}));
  EXPECT_EQ(ctl({"frobnicate"}).status, 2);
  EXPECT_EQ(ctl({"stop"}).status, 2);
  EXPECT_EQ(ctl({"--help"}).status, 0);
  EXPECT_EQ(ctl({"logs", "--help"}).status, 0);
  RunResult gone = arborctl(d.path("none.sock"), {"status"});
  EXPECT_EQ(gone.status, 3);
  EXPECT_NE(gone.err.find("arborctl: cannot connect to " + d.path("none.sock") + ": "), std::string::npos);
}

TEST_F(CtlTest, SocketIsOwnerOnlyAndASecondArbordIsRefused) {
  struct stat st {};
  ASSERT_EQ(::stat(d.socket().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ArbordInstance second;
  second.start(tree(second, kChildren, d.socket()), {}, Watch::none);
  EXPECT_EQ(second.wait_exit(), 1);
  EXPECT_TRUE(second.await("another arbord is running on " + d.socket()));
  EXPECT_EQ(ctl({"status"}).status, 0) << "the first arbord still answers, on a new connection";
}

TEST_F(CtlTest, MalformedAndOversizeRequests) {
  Control raw, other;
  ASSERT_TRUE(raw.connect(d.socket(), 0ms));
  ASSERT_TRUE(other.connect(d.socket(), 0ms));
  raw.send_raw("{nope\n");
  auto reply = raw.next_reply();
  ASSERT_TRUE(reply);
  EXPECT_EQ((*reply)["error"]["code"], "bad_request") << reply->dump();
  raw.send_raw(R"({"id":2,"cmd":"status","args":{"path":"a"}})"
               "\n");
  reply = raw.next_reply();
  ASSERT_TRUE(reply) << "the connection stays open";
  EXPECT_TRUE(reply->value("ok", false)) << reply->dump();
  raw.send_raw(std::string(1024 * 1024 + 10, 'x'));  // may fail once arbord has closed
  reply = raw.next_reply();
  ASSERT_TRUE(reply);
  EXPECT_EQ((*reply)["error"]["code"], "bad_request") << reply->dump();
  EXPECT_FALSE(raw.next_reply(2s));
  EXPECT_TRUE(raw.at_eof()) << "closed after an oversize line";
  reply = other.call("version");
  ASSERT_TRUE(reply) << "other clients unaffected";
  EXPECT_TRUE(reply->value("ok", false)) << reply->dump();
}

TEST_F(CtlTest, AClientThatNeverReadsIsDroppedWithoutStallingOthers) {
  Control slow;
  ASSERT_TRUE(slow.connect(d.socket(), 0ms));
  int small = 4096;
  ::setsockopt(slow.fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  ASSERT_TRUE(slow.send_raw(R"({"id":1,"cmd":"watch"})"
                            "\n"));
  // Pipelined requests whose replies (about 1 KB each) it never reads: past 1 MiB queued
  // in arbord, the client is dropped. The sends may fail once it is.
  std::string burst;
  for (int j = 0; j < 200; ++j)
    burst += R"({"id":2,"cmd":"status","args":{"path":"/"}})"
             "\n";
  const auto deadline = Clock::now() + 10s;
  while (Clock::now() < deadline && d.matching("dropping client").empty()) {
    if (!slow.send_raw(burst)) break;
  }
  EXPECT_TRUE(d.await("dropping client", 5s));
  RunResult v = ctl({"version"}, 3s);
  EXPECT_EQ(v.status, 0) << "others are served";
  EXPECT_EQ(ctl({"restart", "web/api"}).status, 0) << "supervision goes on";
}

TEST(CtlSocketTest, StaleSocketIsReplaced) {
  ArbordInstance d;
  std::filesystem::create_directories(d.path("s"));
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strcpy(addr.sun_path, d.path("s/arbord.sock").c_str());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ::close(fd);  // bound, never listened, now closed: a stale file
  d.start(tree(d, kSleeper));
  EXPECT_TRUE(d.await_ready());
  EXPECT_EQ(arborctl(d.socket(), {"shutdown"}).status, 0);
  EXPECT_EQ(d.wait_exit(), 0);
}

TEST(CtlSocketTest, TooLongSocketPathFailsBoot) {
  ArbordInstance d;
  d.start(tree(d, kSleeper), {"--socket", d.path(std::string(120, 'x'))}, Watch::none);
  EXPECT_EQ(d.wait_exit(), 1);
  EXPECT_TRUE(d.await("socket path too long"));
}

TEST(CtlSocketTest, ShutdownStopsTheTreeAndArbordExits0) {
  ArbordInstance d;
  d.start(tree(d, kSleeper));
  ASSERT_TRUE(d.await_ready());
  RunResult r = arborctl(d.socket(), {"shutdown"});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(d.wait_exit(), 0);
  struct stat st {};
  EXPECT_NE(::stat(d.socket().c_str(), &st), 0) << "the socket file is removed";
}

TEST(CtlSocketTest, AnotherUidIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to run a client as nobody";
  if (::access("/usr/bin/setpriv", X_OK) != 0) GTEST_SKIP() << "no setpriv";
  ArbordInstance d;
  d.start(tree(d, kSleeper));
  ASSERT_TRUE(d.await_ready());
  // The socket is 0600: let nobody reach it only to prove the credential check.
  ::chmod(d.dir().c_str(), 0755);
  ::chmod(d.path("s").c_str(), 0755);
  ::chmod(d.socket().c_str(), 0666);
  RunResult r = run({"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", ARBORCTL_BIN,
                     "--socket", d.socket(), "status"});
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.err.find("forbidden"), std::string::npos) << r.err;
  EXPECT_TRUE(d.await("refused client"));
  EXPECT_EQ(arborctl(d.socket(), {"shutdown"}).status, 0);
}

}  // namespace
}  // namespace arbor::testing
