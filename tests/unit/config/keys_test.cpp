// Every key of docs/CONFIG.md with a non-default value, and the loader's options.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "test_util.h"

namespace arbor::config::test {
namespace {

TEST(ConfigKeys, TopLevel) {
  const LoadResult r = load_text(R"({"socket": "/tmp/a.sock", "log_dir": "/tmp/logs",
      "logs": {"max_bytes": 1, "keep": 0}, "root": {"type": "supervisor"}})",
                                 options());
  ASSERT_TRUE(r.tree) << ::testing::PrintToString(texts(r.errors));
  EXPECT_EQ(r.tree->socket, "/tmp/a.sock");
  EXPECT_EQ(r.tree->log_dir, "/tmp/logs");
  EXPECT_EQ(r.tree->logs, (LogsSpec{1, 0}));
}

TEST(ConfigKeys, SocketOfExactly107Bytes) {
  const std::string socket = "/" + std::string(106, 's');
  const LoadResult r = load_text(R"({"socket": ")" + socket + R"(", "root": {}})", options());
  ASSERT_TRUE(r.tree);
  EXPECT_EQ(r.tree->socket, socket);
}

TEST(ConfigKeys, RootSupervisor) {
  const LoadResult r = load_text(R"({"root": {"strategy": "rest_for_one", "max_restarts": 0, "max_seconds": 1,
      "auto_shutdown": "all_significant", "children": []}})",
                                 options());
  ASSERT_TRUE(r.tree);
  const SupervisorSpec& s = *r.tree->root.supervisor;
  EXPECT_EQ(s.strategy, Strategy::rest_for_one);
  EXPECT_EQ(s.max_restarts, 0);
  EXPECT_EQ(s.max_seconds, 1);
  EXPECT_EQ(s.auto_shutdown, AutoShutdown::all_significant);
}

TEST(ConfigKeys, CommonChildKeys) {
  const LoadResult r = load_text(with_children(R"(
      {"id": "a.B-9_z", "type": "worker", "restart": "transient", "shutdown": "brutal_kill",
       "significant": true, "command": ["/bin/sh"]},
      {"id": "b", "restart": "temporary", "shutdown": 0, "significant": false, "command": ["/bin/sh"]},
      {"id": "c", "shutdown": "infinity", "command": ["/bin/sh"]},
      {"id": "d", "shutdown": 2147483647, "command": ["/bin/sh"]},
      {"id": "s", "type": "supervisor", "shutdown": 1000, "restart": "transient", "significant": true})"),
                                 options());
  ASSERT_TRUE(r.tree) << ::testing::PrintToString(texts(r.errors));
  const auto& c = r.tree->root.supervisor->children;
  ASSERT_EQ(c.size(), 5u);
  EXPECT_EQ(c[0].id, "a.B-9_z");
  EXPECT_EQ(c[0].restart, RestartType::transient);
  EXPECT_EQ(c[0].shutdown, Shutdown::brutal());
  EXPECT_TRUE(c[0].significant);
  EXPECT_EQ(c[1].restart, RestartType::temporary);
  EXPECT_EQ(c[1].shutdown, Shutdown::after(0));
  EXPECT_FALSE(c[1].significant);
  EXPECT_EQ(c[2].shutdown, Shutdown::infinite());
  EXPECT_EQ(c[3].shutdown, Shutdown::after(2147483647));
  EXPECT_EQ(c[4].shutdown, Shutdown::after(1000));
  EXPECT_TRUE(c[4].significant);
}

TEST(ConfigKeys, IdOf64Characters) {
  const std::string id(64, 'x');
  EXPECT_EQ(first_child(R"({"id": ")" + id + R"(", "command": ["/bin/sh"]})").id, id);
}

TEST(ConfigKeys, Command) {
  EXPECT_EQ(worker(R"("command": ["/bin/sh", "-c", "exit 0", ""])").command,
            (std::vector<std::string>{"/bin/sh", "-c", "exit 0", ""}));
  EXPECT_EQ(worker(R"("command": ["env"])").command, std::vector<std::string>{"/usr/bin/env"});
}

TEST(ConfigKeys, EnvKeepsFileOrder) {
  const WorkerSpec w = worker(R"("command": ["/bin/sh"], "env": {"Z": "1", "A": "", "M": "x=y"})");
  EXPECT_EQ(w.env, (std::vector<std::pair<std::string, std::string>>{{"Z", "1"}, {"A", ""}, {"M", "x=y"}}));
}

TEST(ConfigKeys, Cwd) { EXPECT_EQ(worker(R"("command": ["/bin/sh"], "cwd": "/tmp")").cwd, "/tmp"); }

TEST(ConfigKeys, UserAndGroupByName) {
  const WorkerSpec w = worker(R"("command": ["/bin/sh"], "user": "root", "group": "nogroup")");
  EXPECT_EQ(w.user, "root");
  EXPECT_EQ(w.group, "nogroup");
  EXPECT_EQ(w.uid, 0u);
  EXPECT_EQ(w.gid, 65534u);
}

TEST(ConfigKeys, UserAndGroupByNumber) {
  WorkerSpec w = worker(R"("command": ["/bin/sh"], "user": 65534)");
  EXPECT_EQ(w.user, "65534");
  EXPECT_EQ(w.uid, 65534u);
  EXPECT_EQ(w.gid, 65534u);
  // A numeric id needs no passwd entry when the group is given; a numeric group none at all.
  w = worker(R"("command": ["/bin/sh"], "group": "4242", "user": "4243")");
  EXPECT_EQ(w.uid, 4243u);
  EXPECT_EQ(w.gid, 4242u);
  EXPECT_EQ(worker(R"("command": ["/bin/sh"], "group": 0)").gid, 0u);
}

TEST(ConfigKeys, Umask) {
  EXPECT_EQ(worker(R"("command": ["/bin/sh"], "umask": "022")").umask, 022u);
  EXPECT_EQ(worker(R"("command": ["/bin/sh"], "umask": "0027")").umask, 027u);
  EXPECT_EQ(worker(R"("command": ["/bin/sh"], "umask": "7")").umask, 07u);
  EXPECT_EQ(worker(R"("command": ["/bin/sh"], "umask": 18)").umask, 022u);  // JSON has no octal
  EXPECT_EQ(worker(R"("command": ["/bin/sh"], "umask": 511)").umask, 0777u);
}

TEST(ConfigKeys, StopSignal) {
  EXPECT_EQ(worker(R"("command": ["/bin/sh"], "stop_signal": "HUP")").stop_signal, 1);
  EXPECT_EQ(worker(R"("command": ["/bin/sh"], "stop_signal": "SIGUSR1")").stop_signal, 10);
  EXPECT_EQ(worker(R"("command": ["/bin/sh"], "stop_signal": "int")").stop_signal, 2);
  EXPECT_EQ(worker(R"("command": ["/bin/sh"], "stop_signal": "9")").stop_signal, 9);
  EXPECT_EQ(worker(R"("command": ["/bin/sh"], "stop_signal": 64)").stop_signal, 64);
}

TEST(ConfigKeys, SuccessExitCodes) {
  EXPECT_EQ(worker(R"("command": ["/bin/sh"], "success_exit_codes": [0, 3, 255])").success_exit_codes,
            (std::vector<int>{0, 3, 255}));
}

TEST(ConfigKeys, Backoff) {
  EXPECT_EQ(worker(R"("command": ["/bin/sh"], "backoff": {"initial_ms": 100, "max_ms": 100})").backoff,
            (Backoff{100, 100}));
}

TEST(ConfigKeys, Outputs) {
  WorkerSpec w = worker(R"("command": ["/bin/sh"], "stdout": "inherit", "stderr": "null")");
  EXPECT_EQ(w.stdout_spec, (Output{Output::Kind::inherit, {}}));
  EXPECT_EQ(w.stderr_spec, (Output{Output::Kind::null, {}}));
  w = worker(R"("command": ["/bin/sh"], "stdout": {"file": "/tmp/out"}, "stderr": "log")");
  EXPECT_EQ(w.stdout_spec, (Output{Output::Kind::file, "/tmp/out"}));
  EXPECT_EQ(w.stderr_spec, (Output{Output::Kind::log, {}}));
}

TEST(ConfigKeys, Ready) {
  EXPECT_EQ(worker(R"("command": ["/bin/sh"], "ready": {"notify": true, "timeout": 1})").ready,
            (Ready{Ready::Kind::notify, -1, 1}));
  EXPECT_EQ(worker(R"("command": ["/bin/sh"], "ready": {"timeout": 10000, "fd": 1023})").ready,
            (Ready{Ready::Kind::fd, 1023, 10000}));
}

TEST(ConfigKeys, NestedSupervisor) {
  const ChildSpec c = first_child(R"({"id": "web", "type": "supervisor", "strategy": "one_for_all",
      "max_restarts": 10, "max_seconds": 60, "auto_shutdown": "any_significant", "children": [
        {"id": "api", "command": ["/bin/sh"], "restart": "transient", "significant": true},
        {"id": "inner", "type": "supervisor", "children": [{"id": "api", "command": ["/bin/sh"]}]}]})");
  EXPECT_EQ(c.supervisor->strategy, Strategy::one_for_all);
  EXPECT_EQ(c.supervisor->max_restarts, 10);
  EXPECT_EQ(c.supervisor->max_seconds, 60);
  EXPECT_EQ(c.supervisor->auto_shutdown, AutoShutdown::any_significant);
  ASSERT_EQ(c.supervisor->children.size(), 2u);
  EXPECT_TRUE(c.supervisor->children[0].significant);
  ASSERT_EQ(c.supervisor->children[1].supervisor->children.size(), 1u);  // same id, other parent: fine
  EXPECT_EQ(c.supervisor->children[1].supervisor->children[0].id, "api");
}

TEST(ConfigKeys, DynamicSupervisor) {
  ChildSpec c = first_child(R"({"id": "jobs", "type": "dynamic_supervisor", "max_children": 100,
      "max_restarts": 1, "max_seconds": 2, "auto_shutdown": "all_significant",
      "template": {"type": "worker", "command": ["sleep"], "restart": "temporary", "significant": true}})");
  EXPECT_EQ(c.supervisor->max_children, 100u);
  EXPECT_EQ(c.supervisor->max_restarts, 1);
  EXPECT_EQ(c.supervisor->max_seconds, 2);
  EXPECT_EQ(c.supervisor->auto_shutdown, AutoShutdown::all_significant);
  ASSERT_TRUE(c.supervisor->child_template);
  EXPECT_EQ(c.supervisor->child_template->restart, RestartType::temporary);
  EXPECT_TRUE(c.supervisor->child_template->significant);
  EXPECT_EQ(c.supervisor->child_template->worker.command, std::vector<std::string>{"/usr/bin/sleep"});
  c = first_child(
      R"({"id": "j", "type": "dynamic_supervisor", "max_children": 0, "template": {"command": ["sleep"]}})");
  EXPECT_EQ(c.supervisor->max_children, 0u);
  c = first_child(R"({"id": "j", "type": "dynamic_supervisor", )"
                  R"("max_children": "infinity", "template": {"command": ["sleep"]}})");
  EXPECT_FALSE(c.supervisor->max_children);
}

TEST(ConfigOptions, ResolveUsersOff) {
  LoadOptions o = options();
  o.resolve_users = false;
  const LoadResult r =
      load_text(with_children(R"({"id": "a", "command": ["/bin/sh"], "user": "no-such-user-x"},
      {"id": "b", "command": ["/bin/sh"], "user": "12", "group": "no-such-group-x"})"),
                o);
  ASSERT_TRUE(r.tree) << ::testing::PrintToString(texts(r.errors));
  const auto& c = r.tree->root.supervisor->children;
  EXPECT_EQ(c[0].worker.user, "no-such-user-x");
  EXPECT_FALSE(c[0].worker.uid);
  EXPECT_EQ(c[1].worker.uid, 12u);
  EXPECT_FALSE(c[1].worker.gid);
}

TEST(ConfigOptions, CheckPathsOff) {
  LoadOptions o = options();
  o.check_paths = false;
  const LoadResult r =
      load_text(with_children(R"({"id": "a", "command": ["/no/such/bin"], "cwd": "/no/such/dir"})"), o);
  ASSERT_TRUE(r.tree) << ::testing::PrintToString(texts(r.errors));
  EXPECT_EQ(r.tree->root.supervisor->children[0].worker.command[0], "/no/such/bin");
  // A bare name still has to be found: the spec must hold an absolute path.
  EXPECT_EQ(texts(load_text(with_children(R"({"id": "a", "command": ["no-such-cmd-x"]})"), o).errors),
            std::vector<std::string>{"/root/children/0/command/0: \"no-such-cmd-x\" not found on PATH"});
}

TEST(ConfigOptions, SpecExampleWithoutPathChecks) {
  LoadOptions o = options();
  o.check_paths = false;
  const LoadResult r = load_text(R"({
    "socket": "/run/arbor/arbord.sock",
    "log_dir": "/var/log/arbor",
    "root": {
      "strategy": "one_for_one",
      "max_restarts": 3,
      "max_seconds": 5,
      "children": [
        {"id": "db", "command": ["/usr/bin/redis-server", "--port", "6380"],
         "restart": "permanent", "shutdown": 5000},
        {"id": "web", "type": "supervisor", "strategy": "rest_for_one",
         "children": [
           {"id": "api", "command": ["/opt/api/bin/api"], "ready": {"notify": true, "timeout": 10000}},
           {"id": "worker", "command": ["/opt/api/bin/worker"], "restart": "transient"}
         ]},
        {"id": "jobs", "type": "dynamic_supervisor", "max_children": 100,
         "template": {"command": ["/opt/jobs/run"], "restart": "temporary"}}
      ]
    }
  })",
                                 o);
  ASSERT_TRUE(r.tree) << ::testing::PrintToString(texts(r.errors));
  const auto& c = r.tree->root.supervisor->children;
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[1].supervisor->strategy, Strategy::rest_for_one);
  EXPECT_EQ(c[1].supervisor->children[0].worker.ready, (Ready{Ready::Kind::notify, -1, 10000}));
  EXPECT_EQ(c[2].supervisor->max_children, 100u);
  EXPECT_EQ(c[2].supervisor->child_template->restart, RestartType::temporary);
}

TEST(ConfigOptions, PathSearchSkipsRelativeAndEmptyEntries) {
  LoadOptions o = options();
  o.path_env = ":.:bin:/nonexistent:/bin";
  const LoadResult r = load_text(with_children(R"({"id": "a", "command": ["sleep"]})"), o);
  ASSERT_TRUE(r.tree);
  EXPECT_EQ(r.tree->root.supervisor->children[0].worker.command[0], "/bin/sleep");
}

TEST(ConfigWarnings, UnreachableMaxRestarts) {
  // 3 restarts allowed in 5 s: giving up needs 4, spaced 0.9 * (2000 + 4000 + 4000) ms apart.
  const LoadResult r = load_text(
      with_children(
          R"({"id": "w", "command": ["/bin/sh"], "backoff": {"initial_ms": 1000, "max_ms": 4000}})"),
      options());
  ASSERT_TRUE(r.tree);
  EXPECT_EQ(texts(r.warnings),
            std::vector<std::string>{"/root/children/0/backoff: max_restarts is unreachable with "
                                     "this backoff: 4 restarts span at least 9000 ms, more than "
                                     "max_seconds (5 s)"});
}

TEST(ConfigWarnings, ReachableMaxRestarts) {
  const LoadResult r = load_text(R"({"root": {"max_seconds": 60, "children": [
      {"id": "w", "command": ["/bin/sh"], "backoff": {"initial_ms": 1000, "max_ms": 4000}}]}})",
                                 options());
  ASSERT_TRUE(r.tree);
  EXPECT_TRUE(r.warnings.empty());
}

TEST(ConfigWarnings, TemplateBackoffAndHugeMaxRestarts) {
  const LoadResult r = load_text(with_children(R"({"id": "d", "type": "dynamic_supervisor",
      "max_restarts": 2147483647,
      "template": {"command": ["/bin/sh"], "backoff": {"initial_ms": 1, "max_ms": 1}}})"),
                                 options());
  ASSERT_TRUE(r.tree);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0].pointer, "/root/children/0/template/backoff");
}

TEST(ConfigFile, LoadsAFile) {
  const std::string path = ::testing::TempDir() + "arbor_config_test.json";
  std::ofstream(path) << R"({"root": {"children": [{"id": "a", "command": ["sleep", "5"]}]}})";
  const LoadResult r = load_file(path, options());
  std::remove(path.c_str());
  ASSERT_TRUE(r.tree) << ::testing::PrintToString(texts(r.errors));
  EXPECT_EQ(r.tree->root.supervisor->children[0].worker.command[0], "/usr/bin/sleep");
}

TEST(ConfigFile, CommentsAreAllowed) {
  const LoadResult r = load_text(R"(// arbor.json, edited by hand
{
  /* three restarts in five seconds: the api reconnects slowly */
  "root": {"max_restarts": 3, "children": [  // one child
    {"id": "a", "command": ["sleep", "5"]}  /* "id": "b" */
  ]}
})",
                                 options());
  ASSERT_TRUE(r.tree) << ::testing::PrintToString(texts(r.errors));
  EXPECT_EQ(r.tree->root.supervisor->children.size(), 1u);
}

TEST(ConfigFile, WholeFileErrorsNameTheFile) {
  const LoadResult r = load_file("/nonexistent/arbor.json", options());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(to_string(r.errors[0], "/nonexistent/arbor.json"),
            "/nonexistent/arbor.json: cannot read: No such file or directory");
  const LoadResult bad = load_text(R"({"root": {"max_restarts": -1}})", options());
  ASSERT_FALSE(bad.errors.empty());
  EXPECT_EQ(to_string(bad.errors[0], "/etc/arbor/arbor.json"), to_string(bad.errors[0]));
}

TEST(ConfigFile, Unreadable) {
  EXPECT_EQ(texts(load_file("/nonexistent/arbor.json", options()).errors),
            std::vector<std::string>{"cannot read: No such file or directory"});
  EXPECT_EQ(texts(load_file("/tmp", options()).errors),
            std::vector<std::string>{"cannot read: Is a directory"});
}

}  // namespace
}  // namespace arbor::config::test

namespace arbor::config {
namespace {
TEST(Keys, RelativeSocketAndLogDirAreTakenFromTheBaseDir) {
  LoadOptions options;
  options.base_dir = "/srv/tree";
  const LoadResult r = load_text(R"({"socket": "run/arbord.sock", "log_dir": "logs", "root": {}})", options);
  ASSERT_TRUE(r.tree) << (r.errors.empty() ? "" : to_string(r.errors[0]));
  EXPECT_EQ(r.tree->socket, "/srv/tree/run/arbord.sock");
  EXPECT_EQ(r.tree->log_dir, "/srv/tree/logs");
}
}  // namespace
}  // namespace arbor::config
