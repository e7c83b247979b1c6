// to_json -> load_child gives back the same spec, and load_child's own checks.
#include <gtest/gtest.h>

#include "test_util.h"

namespace arbor::config::test {
namespace {

// Env keys sorted: load_child gets a nlohmann::json, whose objects are sorted by key.
const char* const kFullWorker = R"({"id": "w", "type": "worker", "restart": "transient", "shutdown": 1234,
    "significant": true, "command": ["sleep", "10"], "env": {"A": "1", "B": "two"}, "cwd": "/tmp",
    "user": "nobody", "group": "root", "umask": "027", "stop_signal": "SIGHUP", "success_exit_codes": [0, 2],
    "backoff": {"initial_ms": 100, "max_ms": 60000}, "stdout": {"file": "/tmp/out.log"}, "stderr": "null",
    "ready": {"fd": 4, "timeout": 500}})";

void expect_round_trip(const ChildSpec& spec) {
  LoadOptions o = options();
  o.parent_auto_shutdown = AutoShutdown::any_significant;
  const nlohmann::json j = to_json(spec);
  const ChildResult back = load_child(j, "/spec", o);
  ASSERT_TRUE(back.errors.empty()) << j.dump() << "\n" << ::testing::PrintToString(texts(back.errors));
  ASSERT_TRUE(back.child);
  EXPECT_EQ(*back.child, spec) << j.dump();
}

TEST(ConfigRoundTrip, FullWorker) { expect_round_trip(first_child(kFullWorker)); }

TEST(ConfigRoundTrip, WorkerVariants) {
  expect_round_trip(first_child(R"({"id": "a", "command": ["/bin/sh"], "shutdown": "brutal_kill",
      "stdout": "inherit", "ready": {"notify": true}, "user": 0, "umask": 0})"));
  expect_round_trip(
      first_child(R"({"id": "b", "command": ["/bin/sh"], "shutdown": "infinity", "stop_signal": 64})"));
  expect_round_trip(
      first_child(R"({"id": "c", "command": ["/bin/sh"], "group": "4242", "restart": "temporary"})"));
}

TEST(ConfigRoundTrip, NestedSupervisorAndDynamic) {
  expect_round_trip(first_child(R"({"id": "web", "type": "supervisor", "strategy": "rest_for_one",
      "max_restarts": 7, "max_seconds": 9, "auto_shutdown": "all_significant", "restart": "transient",
      "children": [
        {"id": "api", "command": ["sleep"], "restart": "temporary", "significant": true},
        {"id": "jobs", "type": "dynamic_supervisor", "max_children": 3, "auto_shutdown": "any_significant",
         "shutdown": 100, "template": {"command": ["sleep"], "restart": "transient", "significant": true}},
        {"id": "more", "type": "dynamic_supervisor", "template": {"command": ["sleep"]}}]})"));
}

TEST(ConfigRoundTrip, ExactJson) {
  const nlohmann::json j = to_json(first_child(R"({"id": "a", "command": ["sleep", "1"], "umask": "22"})"));
  EXPECT_EQ(j,
            nlohmann::json::parse(R"({"id": "a", "type": "worker", "restart": "permanent", "shutdown": 5000,
      "significant": false, "command": ["/usr/bin/sleep", "1"], "umask": "0022", "stop_signal": "TERM",
      "success_exit_codes": [0], "stdout": "log", "stderr": "log"})"));
  const nlohmann::json d = to_json(first_child(R"({"id": "d", "type": "dynamic_supervisor",
      "template": {"command": ["sleep"], "ready": {"notify": true}}})"));
  EXPECT_EQ(d, nlohmann::json::parse(R"({"id": "d", "type": "dynamic_supervisor", "restart": "permanent",
      "shutdown": "infinity", "significant": false, "max_restarts": 3, "max_seconds": 5,
      "auto_shutdown": "never",
      "template": {"type": "worker", "restart": "permanent", "shutdown": 5000, "significant": false,
        "command": ["/usr/bin/sleep"], "stop_signal": "TERM", "success_exit_codes": [0], "stdout": "log",
        "stderr": "log", "ready": {"notify": true, "timeout": 30000}}})"));
}

TEST(ConfigLoadChild, ErrorsUnderThePrefix) {
  const ChildResult r =
      load_child(nlohmann::json::parse(R"({"shutdown": "x", "extra": 1})"), "/spec", options());
  EXPECT_FALSE(r.child);
  EXPECT_EQ(texts(r.errors),
            (std::vector<std::string>{
                "/spec/extra: unknown key",
                "/spec/shutdown: expected \"brutal_kill\", \"infinity\" or milliseconds >= 0, "
                "found \"x\"",
                "/spec/id: required", "/spec/command: required"}));
}

TEST(ConfigLoadChild, NotAnObject) {
  EXPECT_EQ(texts(load_child(nlohmann::json::array(), "", options()).errors),
            std::vector<std::string>{"expected an object, found []"});
}

TEST(ConfigLoadChild, ParentAutoShutdown) {
  const auto spec = nlohmann::json::parse(R"({"id": "a", "command": ["/bin/sh"], "restart": "transient",
      "significant": true})");
  EXPECT_TRUE(load_child(spec, "", options()).child);  // parent unknown: not checked
  LoadOptions o = options();
  o.parent_auto_shutdown = AutoShutdown::never;
  EXPECT_EQ(texts(load_child(spec, "", o).errors),
            std::vector<std::string>{
                "/significant: not allowed under a supervisor whose auto_shutdown is \"never\""});
}

}  // namespace
}  // namespace arbor::config::test
