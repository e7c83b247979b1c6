// arborctl against a real arbord: every command, exit codes, socket rules (docs/ARBORCTL.md).
#include <sys/stat.h>

#include "tests/integration/ctl/harness.h"

namespace arbor::ctl_test {
namespace {

const std::string kChildren =
    R"({"id": "a", "command": ["/bin/sh", "-c", "echo hello; echo world; exec sleep 1000"]},
       {"id": "web", "type": "supervisor", "children": [{"id": "api", "command": ["/bin/sleep", "1000"]}]},
       {"id": "jobs", "type": "dynamic_supervisor", "max_children": 1,
        "template": {"command": ["/bin/sleep"], "restart": "temporary"}})";

class CtlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    d.start();
    ASSERT_TRUE(d.ready()) << d.log();
    d.collect_pids(d.status());
  }
  void TearDown() override {
    if (HasFailure()) std::fprintf(stderr, "arbord log:\n%s\n", d.log().c_str());
  }
  Arbord d{kChildren};
};

TEST_F(CtlTest, StatusJsonAndTable) {
  json root = d.status();
  EXPECT_EQ(root["path"], "/");
  EXPECT_EQ(root["children"][0]["state"], "running");
  EXPECT_EQ(root["children"][1]["children"][0]["path"], "web/api");
  Result table = d.ctl({"status"});
  EXPECT_EQ(table.status, 0);
  EXPECT_NE(table.out.find("PATH"), std::string::npos);
  EXPECT_NE(table.out.find("    web/api"), std::string::npos) << table.out;
  EXPECT_EQ(table.out.find("\033["), std::string::npos) << "no colour when stdout is not a terminal";
}

TEST_F(CtlTest, StopStartRestartSignalWait) {
  EXPECT_EQ(d.ctl({"stop", "web/api"}).status, 0);
  EXPECT_EQ(d.status("web/api")["state"], "stopped");
  EXPECT_EQ(d.ctl({"wait", "web/api", "--state", "stopped", "--timeout", "2000"}).status, 0);
  Result refused = d.ctl({"wait", "web/api", "--timeout", "100"});
  EXPECT_EQ(refused.status, 1);
  EXPECT_NE(refused.err.find("arborctl: timeout:"), std::string::npos) << refused.err;
  EXPECT_EQ(d.ctl({"start", "web/api"}).status, 0);
  const int pid = d.status("web/api")["pid"];
  EXPECT_EQ(d.ctl({"restart", "web/api"}).status, 0);
  EXPECT_NE(d.status("web/api")["pid"], pid);
  EXPECT_EQ(d.ctl({"signal", "web/api", "KILL"}).status, 0);
  EXPECT_EQ(d.ctl({"wait", "web/api", "--timeout", "5000"}).status, 0);
  EXPECT_EQ(d.status("web/api")["restarts"], 1);
  Result r = d.ctl({"start", "web/api"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("arborctl: running: "), std::string::npos) << r.err;
  EXPECT_EQ(d.ctl({"signal", "web/api", "NOPE"}).status, 1);
}

TEST_F(CtlTest, AddRemoveCountSpec) {
  Result added = d.ctl({"add", "jobs", "--", "300"});
  EXPECT_EQ(added.status, 0);
  EXPECT_EQ(added.out, "jobs/1\n");
  Result full = d.ctl({"add", "jobs", "--", "300"});
  EXPECT_EQ(full.status, 1);
  EXPECT_NE(full.err.find("max_children"), std::string::npos);
  EXPECT_EQ(json::parse(d.ctl({"--json", "count", "jobs"}).out)["active"], 1);
  const std::string spec_file = d.dir + "/spec.json";
  std::ofstream(spec_file) << R"({"id": "extra", "command": ["/bin/sleep", "1000"]})";
  Result add = d.ctl({"--json", "add", "web", "--spec", "@" + spec_file});
  EXPECT_EQ(json::parse(add.out), (json{{"path", "web/extra"}}));
  json spec = json::parse(d.ctl({"spec", "web/extra"}).out);
  EXPECT_EQ(spec["command"][0], "/bin/sleep");
  EXPECT_EQ(d.ctl({"remove", "web/extra"}).status, 1);
  EXPECT_EQ(d.ctl({"stop", "web/extra"}).status, 0);
  EXPECT_EQ(d.ctl({"remove", "web/extra"}).status, 0);
  EXPECT_EQ(d.ctl({"spec", "web/extra"}).status, 1);
  EXPECT_EQ(d.ctl({"add", "web", "--spec", "{nope"}).status, 2);
  Result bad = d.ctl({"add", "web", "--spec", R"({"id": "y"})"});
  EXPECT_EQ(bad.status, 1);
  EXPECT_NE(bad.err.find("bad_spec"), std::string::npos);
}

TEST_F(CtlTest, LogsAndFollow) {
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  Result logs;
  while (Clock::now() < deadline && (logs = d.ctl({"logs", "a"})).out != "hello\nworld\n")
    ::poll(nullptr, 0, 20);
  EXPECT_EQ(logs.out, "hello\nworld\n");
  EXPECT_EQ(d.ctl({"logs", "a", "-n", "1"}).out, "world\n");
  EXPECT_EQ(d.ctl({"--json", "logs", "a", "-n", "1"}).out, "{\"line\":\"world\",\"path\":\"a\"}\n");
  // follow: restart the worker so it writes again while we follow.
  Raw raw(d.socket);
  ASSERT_TRUE(raw.send(R"({"id":1,"cmd":"logs","args":{"path":"a","lines":0,"follow":true}})"
                       "\n"));
  EXPECT_NE(raw.line().find("\"ok\":true"), std::string::npos);
  EXPECT_EQ(d.ctl({"restart", "a"}).status, 0);
  EXPECT_EQ(json::parse(raw.line())["line"], "hello");
  EXPECT_EQ(json::parse(raw.line())["line"], "world");
}

TEST_F(CtlTest, WatchSeesEvents) {
  Raw raw(d.socket);
  ASSERT_TRUE(raw.send(R"({"id":1,"cmd":"watch"})"
                       "\n"));
  EXPECT_NE(raw.line().find("\"ok\":true"), std::string::npos);
  EXPECT_EQ(d.ctl({"stop", "web/api"}).status, 0);
  json e = json::parse(raw.line());
  EXPECT_EQ(e["event"], "exited");
  EXPECT_EQ(e["path"], "web/api");
  EXPECT_EQ(e["reason"], "shutdown");
  EXPECT_TRUE(e["seq"].is_number());
}

TEST_F(CtlTest, VersionAndUsage) {
  Result v = d.ctl({"--json", "version"});
  EXPECT_EQ(json::parse(v.out),
            (json{{"arborctl", ARBOR_VERSION}, {"arbord", ARBOR_VERSION}, {"protocol", 1}}));
  EXPECT_EQ(d.ctl({"frobnicate"}).status, 2);
  EXPECT_EQ(d.ctl({"stop"}).status, 2);
  EXPECT_EQ(d.ctl({"--help"}).status, 0);
  EXPECT_EQ(d.ctl({"logs", "--help"}).status, 0);
  Result gone = run({ARBORCTL_BIN, "--socket", d.dir + "/none.sock", "status"});
  EXPECT_EQ(gone.status, 3);
  EXPECT_NE(gone.err.find("arborctl: cannot connect to " + d.dir + "/none.sock: "), std::string::npos);
}

TEST_F(CtlTest, SocketIsOwnerOnlyAndASecondArbordIsRefused) {
  struct stat st {};
  ASSERT_EQ(::stat(d.socket.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const pid_t second = d.start();
  EXPECT_EQ(d.wait_exit(second), 1);
  EXPECT_NE(d.log().find("another arbord is running on " + d.socket), std::string::npos) << d.log();
  EXPECT_TRUE(d.ready(2000)) << "the first arbord still answers";
}

TEST_F(CtlTest, MalformedAndOversizeRequests) {
  Raw raw(d.socket);
  Raw other(d.socket);
  raw.send("{nope\n");
  EXPECT_NE(raw.line().find("bad_request"), std::string::npos);
  raw.send(R"({"id":2,"cmd":"status","args":{"path":"a"}})"
           "\n");
  EXPECT_NE(raw.line().find("\"ok\":true"), std::string::npos) << "the connection stays open";
  raw.send(std::string(1024 * 1024 + 10, 'x'));
  EXPECT_NE(raw.line().find("bad_request"), std::string::npos);
  EXPECT_EQ(raw.line(2000), "");
  EXPECT_TRUE(raw.eof) << "closed after an oversize line";
  other.send(R"({"id":3,"cmd":"version"})"
             "\n");
  EXPECT_NE(other.line().find("\"ok\":true"), std::string::npos) << "other clients unaffected";
}

TEST_F(CtlTest, AClientThatNeverReadsIsDroppedWithoutStallingOthers) {
  Raw slow(d.socket);
  int small = 4096;
  ::setsockopt(slow.fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  ASSERT_TRUE(slow.send(R"({"id":1,"cmd":"watch"})"
                        "\n"));
  // Pipelined requests whose replies (about 1 KB each) it never reads: past 1 MiB queued
  // in arbord, the client is dropped. The sends may fail once it is.
  std::string burst;
  for (int j = 0; j < 200; ++j)
    burst += R"({"id":2,"cmd":"status","args":{"path":"/"}})"
             "\n";
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < deadline && d.log().find("dropping client") == std::string::npos) {
    if (!slow.send(burst)) break;
  }
  const auto found = Clock::now() + std::chrono::seconds(5);
  while (Clock::now() < found && d.log().find("dropping client") == std::string::npos) ::poll(nullptr, 0, 20);
  EXPECT_NE(d.log().find("dropping client"), std::string::npos);
  Result v = d.ctl({"version"}, 3000);
  EXPECT_EQ(v.status, 0) << "others are served";
  EXPECT_EQ(d.ctl({"restart", "web/api"}).status, 0) << "supervision goes on";
}

TEST(CtlSocketTest, StaleSocketIsReplaced) {
  Arbord d(R"({"id": "a", "command": ["/bin/sleep", "1000"]})");
  std::filesystem::create_directories(d.dir + "/s");
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strcpy(addr.sun_path, d.socket.c_str());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ::close(fd);  // bound, never listened, now closed: a stale file
  d.start();
  EXPECT_TRUE(d.ready()) << d.log();
  EXPECT_EQ(d.ctl({"shutdown"}).status, 0);
}

TEST(CtlSocketTest, TooLongSocketPathFailsBoot) {
  Arbord d(R"({"id": "a", "command": ["/bin/sleep", "1000"]})");
  const pid_t pid = d.start({"--socket", d.dir + "/" + std::string(120, 'x')});
  EXPECT_EQ(d.wait_exit(pid), 1);
  EXPECT_NE(d.log().find("socket path too long"), std::string::npos) << d.log();
}

TEST(CtlSocketTest, ShutdownStopsTheTreeAndArbordExits0) {
  Arbord d(R"({"id": "a", "command": ["/bin/sleep", "1000"]})");
  const pid_t pid = d.start();
  ASSERT_TRUE(d.ready()) << d.log();
  Result r = d.ctl({"shutdown"});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(d.wait_exit(pid), 0);
  struct stat st {};
  EXPECT_NE(::stat(d.socket.c_str(), &st), 0) << "the socket file is removed";
}

TEST(CtlSocketTest, AnotherUidIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to run a client as nobody";
  if (::access("/usr/bin/setpriv", X_OK) != 0) GTEST_SKIP() << "no setpriv";
  Arbord d(R"({"id": "a", "command": ["/bin/sleep", "1000"]})");
  d.start();
  ASSERT_TRUE(d.ready()) << d.log();
  // The socket is 0600: let nobody reach it only to prove the credential check.
  ::chmod(d.dir.c_str(), 0755);
  ::chmod((d.dir + "/s").c_str(), 0755);
  ::chmod(d.socket.c_str(), 0666);
  Result r = run({"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", ARBORCTL_BIN,
                  "--socket", d.socket, "status"});
  EXPECT_EQ(r.status, 1) << r.err << d.log();
  EXPECT_NE(r.err.find("forbidden"), std::string::npos) << r.err;
  EXPECT_NE(d.log().find("refused client"), std::string::npos);
  EXPECT_EQ(d.ctl({"shutdown"}).status, 0);
}

}  // namespace
}  // namespace arbor::ctl_test
