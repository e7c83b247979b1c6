// logs (tail, follow across rotation) and reload (dry run, refusal, apply).
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "tests/fakes/fake_daemon.h"

namespace arbor::testing {
namespace {

using nlohmann::json;

class LogsReloadTest : public Fixture {
 protected:
  LogsReloadTest() {
    char tmpl[] = "/tmp/arbor-ctl-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    daemon.set_log_dir(dir_);
    daemon.config_file = dir_ + "/arbor.json";
  }
  ~LogsReloadTest() override { std::filesystem::remove_all(dir_); }

  void append(const std::string& file, const std::string& text) {
    std::ofstream out(dir_ + "/" + file, std::ios::app);
    out << text;
  }
  std::vector<std::string> streamed() {
    std::vector<std::string> out;
    for (const auto& l : take_lines()) {
      if (l.contains("line")) out.push_back(l["line"]);
    }
    return out;
  }

  std::string dir_;
};

TEST_F(LogsReloadTest, TailGivesTheLastCompleteLines) {
  append("web.api.log", "one\ntwo\nthree\nfour\npart");
  json r = request("logs", {{"path", "web/api"}, {"lines", 2}});
  ASSERT_TRUE(r["ok"].get<bool>()) << r;
  EXPECT_EQ(r["result"]["lines"], (json{"three", "four"}));
  EXPECT_EQ(r["result"]["path"], "web/api");
  EXPECT_EQ(request("logs", {{"path", "web/api"}})["result"]["lines"].size(), 4u);
  EXPECT_EQ(request("logs", {{"path", "db"}})["result"]["lines"], json::array()) << "no file yet: no lines";
}

TEST_F(LogsReloadTest, TailOfALongFile) {
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "line " + std::to_string(i) + "\n";
  append("db.log", text);
  json lines = request("logs", {{"path", "db"}, {"lines", 3}})["result"]["lines"];
  EXPECT_EQ(lines, (json{"line 19997", "line 19998", "line 19999"}));
}

TEST_F(LogsReloadTest, FollowStreamsNewLinesAcrossRotation) {
  append("db.log", "old\n");
  take_lines();
  json r = request("logs", {{"path", "db"}, {"lines", 5}, {"follow", true}});
  ASSERT_TRUE(r["ok"].get<bool>()) << r;
  EXPECT_EQ(r["result"]["lines"], (json{"old"}));
  take_lines();
  append("db.log", "new 1\nnew ");
  daemon.touch(dir_, "db.log");
  EXPECT_EQ(streamed(), (std::vector<std::string>{"new 1"}));
  daemon.touch(dir_, "web.api.log");  // another worker's file: nothing to read
  EXPECT_TRUE(streamed().empty());
  append("db.log", "2\nlast of old\n");
  std::filesystem::rename(dir_ + "/db.log", dir_ + "/db.log.1");
  append("db.log", "first of new\n");
  daemon.touch(dir_, "db.log");
  EXPECT_EQ(streamed(), (std::vector<std::string>{"new 2", "last of old", "first of new"}));
  session->client_hangs_up();
  append("db.log", "unseen\n");
  daemon.touch(dir_, "db.log");
  EXPECT_TRUE(streamed().empty());
}

TEST_F(LogsReloadTest, LogsRefusals) {
  EXPECT_EQ(error_code(request("logs", {{"path", "web"}})), "bad_request");
  EXPECT_EQ(error_code(request("logs", {{"path", "zz"}})), "not_found");
  EXPECT_EQ(error_code(request("logs", {{"path", "db"}, {"lines", -1}})), "bad_request");
  EXPECT_EQ(error_code(request("logs", {{"path", "db"}, {"follow", "yes"}})), "bad_request");
}

void write(const std::string& file, const std::string& text) {
  std::ofstream out(file);
  out << text;
}

const char* kConfig = R"({"root": {"children": [
  {"id": "db", "command": ["/bin/true"]},
  {"id": "web", "type": "supervisor", "strategy": "rest_for_one", "children": [
    {"id": "api", "command": ["/bin/true"]},
    {"id": "worker", "command": ["/bin/true"], "restart": "transient"}]},
  {"id": "jobs", "type": "dynamic_supervisor", "max_children": 2,
   "template": {"command": ["/bin/true"], "restart": "temporary"}},
  {"id": "new", "command": ["/bin/true"]}]}})";

std::string action_of(const json& plan, const std::string& path) {
  for (const auto& e : plan["plan"]) {
    if (e["path"] == path) return e["action"];
  }
  return "(none)";
}

TEST_F(LogsReloadTest, ReloadDryRunGivesThePlanAndChangesNothing) {
  write(daemon.config_file, kConfig);
  json r = request("reload", {{"dry_run", true}});
  ASSERT_TRUE(r["ok"].get<bool>()) << r;
  EXPECT_EQ(action_of(r["result"], "new"), "add");
  EXPECT_EQ(action_of(r["result"], "/"), r["result"]["plan"][0]["action"]);
  EXPECT_FALSE(h.exists("new"));
}

TEST_F(LogsReloadTest, ReloadApplies) {
  write(daemon.config_file, kConfig);
  json r = request("reload", json::object());
  ASSERT_TRUE(r["ok"].get<bool>()) << r;
  EXPECT_EQ(action_of(r["result"], "new"), "add");
  EXPECT_EQ(h.state("new"), core::ChildState::running);
}

TEST_F(LogsReloadTest, ReloadOfABadFileIsRefusedWithItsDiagnostics) {
  write(daemon.config_file, R"({"root": {"children": [{"id": "db"}, {"id": "x", "shutdown": "soon"}]}})");
  json r = request("reload", json::object());
  EXPECT_EQ(error_code(r), "bad_spec");
  const std::string message = r["error"]["message"];
  // Each error names the file, as a compiler's would.
  const std::string file = daemon.config_file;
  EXPECT_EQ(message.find(file + ": /root/children/0/command"), 0u) << message;
  EXPECT_NE(message.find("\n" + file + ": /root/children/1/"), std::string::npos) << message;
  EXPECT_TRUE(h.exists("db"));
  daemon.config_file = dir_ + "/missing.json";
  json missing = request("reload", {{"dry_run", true}});
  EXPECT_EQ(error_code(missing), "bad_spec");
  EXPECT_NE(missing["error"]["message"].get<std::string>().find(dir_ + "/missing.json"), std::string::npos)
      << missing;
  EXPECT_EQ(error_code(request("reload", {{"dry_run", 1}})), "bad_request");
}

}  // namespace
}  // namespace arbor::testing
