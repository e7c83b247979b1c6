// Every default of docs/CONFIG.md, as filled in by the loader.
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>

#include "test_util.h"

namespace arbor::config::test {
namespace {

TEST(ConfigDefaults, MinimalFile) {
  const LoadResult r = load_text(R"({"root": {}})", options());
  ASSERT_TRUE(r.errors.empty()) << ::testing::PrintToString(texts(r.errors));
  ASSERT_TRUE(r.tree);
  EXPECT_TRUE(r.warnings.empty());
  const TreeSpec& t = *r.tree;
  EXPECT_EQ(t.socket, default_socket_path());
  if (geteuid() == 0) {
    EXPECT_EQ(t.socket, "/run/arbor/arbord.sock");
  }
  EXPECT_EQ(t.log_dir, "/var/log/arbor");
  EXPECT_EQ(t.logs.max_bytes, 10485760u);
  EXPECT_EQ(t.logs.keep, 5);
  EXPECT_EQ(t.auto_shutdown_exit_code, AutoShutdownExitCode::zero);
  EXPECT_EQ(t.root.id, "/");
  EXPECT_EQ(t.root.type, ChildType::supervisor);
  EXPECT_EQ(t.root.restart, RestartType::permanent);
  EXPECT_EQ(t.root.shutdown, Shutdown::infinite());
  EXPECT_FALSE(t.root.significant);
  EXPECT_EQ(t.root.supervisor->strategy, Strategy::one_for_one);
  EXPECT_EQ(t.root.supervisor->max_restarts, 3);
  EXPECT_EQ(t.root.supervisor->max_seconds, 5);
  EXPECT_EQ(t.root.supervisor->auto_shutdown, AutoShutdown::never);
  EXPECT_TRUE(t.root.supervisor->children.empty());
  EXPECT_FALSE(t.root.supervisor->max_children);
  EXPECT_FALSE(t.root.supervisor->child_template);
}

// Another user's arbord puts its socket where that user's arborctl looks: under
// $XDG_RUNTIME_DIR. Checked in a child that drops to nobody (as root) or as it is.
TEST(ConfigDefaults, SocketOfAnotherUserIsUnderXdgRuntimeDir) {
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (geteuid() == 0 && setresuid(65534, 65534, 65534) != 0) _exit(10);
    setenv("XDG_RUNTIME_DIR", "/run/user/65534", 1);
    const LoadResult r = load_text(R"({"root": {}})", options());
    if (!r.tree) _exit(11);
    if (r.tree->socket != "/run/user/65534/arbor/arbord.sock") _exit(12);
    unsetenv("XDG_RUNTIME_DIR");
    _exit(default_socket_path() == "/run/arbor/arbord.sock" ? 0 : 13);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "10 setresuid, 11 load, 12 socket with XDG, 13 socket without";
}

TEST(ConfigDefaults, AutoShutdownExitCodeChild) {
  const LoadResult r = load_text(R"({"auto_shutdown_exit_code": "child", "root": {}})", options());
  ASSERT_TRUE(r.tree) << (r.errors.empty() ? "" : r.errors[0].message);
  EXPECT_EQ(r.tree->auto_shutdown_exit_code, AutoShutdownExitCode::child);
}

TEST(ConfigDefaults, EmptyChildrenList) {
  const LoadResult r = load_text(R"({"root": {"children": []}})", options());
  ASSERT_TRUE(r.tree);
  EXPECT_TRUE(r.tree->root.supervisor->children.empty());
}

TEST(ConfigDefaults, Worker) {
  const ChildSpec c = first_child(R"({"id": "w", "command": ["sleep", "1"]})");
  EXPECT_EQ(c.id, "w");
  EXPECT_EQ(c.type, ChildType::worker);
  EXPECT_EQ(c.restart, RestartType::permanent);
  EXPECT_EQ(c.shutdown, Shutdown::after(5000));
  EXPECT_FALSE(c.significant);
  const WorkerSpec& w = c.worker;
  EXPECT_EQ(w.command, (std::vector<std::string>{"/usr/bin/sleep", "1"}));
  EXPECT_TRUE(w.env.empty());
  EXPECT_FALSE(w.cwd);
  EXPECT_FALSE(w.user);
  EXPECT_FALSE(w.group);
  EXPECT_FALSE(w.uid);
  EXPECT_FALSE(w.gid);
  EXPECT_FALSE(w.umask);
  EXPECT_EQ(w.stop_signal, 15);
  EXPECT_EQ(w.success_exit_codes, std::vector<int>{0});
  EXPECT_FALSE(w.backoff);
  EXPECT_EQ(w.stdout_spec.kind, Output::Kind::log);
  EXPECT_EQ(w.stderr_spec.kind, Output::Kind::log);
  EXPECT_EQ(w.ready.kind, Ready::Kind::none);
  EXPECT_EQ(w.ready.timeout_ms, 30000);
}

TEST(ConfigDefaults, Supervisor) {
  const ChildSpec c = first_child(R"({"id": "s", "type": "supervisor"})");
  EXPECT_EQ(c.type, ChildType::supervisor);
  EXPECT_EQ(c.restart, RestartType::permanent);
  EXPECT_EQ(c.shutdown, Shutdown::infinite());
  EXPECT_FALSE(c.significant);
  EXPECT_EQ(c.supervisor->strategy, Strategy::one_for_one);
  EXPECT_EQ(c.supervisor->max_restarts, 3);
  EXPECT_EQ(c.supervisor->max_seconds, 5);
  EXPECT_EQ(c.supervisor->auto_shutdown, AutoShutdown::never);
  EXPECT_TRUE(c.supervisor->children.empty());
}

TEST(ConfigDefaults, DynamicSupervisorAndTemplate) {
  const ChildSpec c =
      first_child(R"({"id": "d", "type": "dynamic_supervisor", "template": {"command": ["/bin/sh"]}})");
  EXPECT_EQ(c.type, ChildType::dynamic_supervisor);
  EXPECT_EQ(c.shutdown, Shutdown::infinite());
  EXPECT_EQ(c.supervisor->max_restarts, 3);
  EXPECT_EQ(c.supervisor->max_seconds, 5);
  EXPECT_EQ(c.supervisor->auto_shutdown, AutoShutdown::never);
  EXPECT_FALSE(c.supervisor->max_children);  // unlimited
  ASSERT_TRUE(c.supervisor->child_template);
  const ChildSpec& t = *c.supervisor->child_template;
  EXPECT_EQ(t.id, "");
  EXPECT_EQ(t.type, ChildType::worker);
  EXPECT_EQ(t.restart, RestartType::permanent);
  EXPECT_EQ(t.shutdown, Shutdown::after(5000));
  EXPECT_EQ(t.worker.command, std::vector<std::string>{"/bin/sh"});
}

TEST(ConfigDefaults, ReadyTimeout) {
  EXPECT_EQ(worker(R"("command": ["/bin/sh"], "ready": {"notify": true})").ready,
            (Ready{Ready::Kind::notify, -1, 30000}));
  EXPECT_EQ(worker(R"("command": ["/bin/sh"], "ready": {"fd": 3})").ready,
            (Ready{Ready::Kind::fd, 3, 30000}));
}

TEST(ConfigDefaults, GroupIsTheUsersPrimaryGroup) {
  const WorkerSpec w = worker(R"("command": ["/bin/sh"], "user": "nobody")");
  EXPECT_EQ(w.uid, 65534u);
  EXPECT_EQ(w.gid, 65534u);
  EXPECT_FALSE(w.group);
}

TEST(ConfigDefaults, LogsPartiallyGiven) {
  const LoadResult r = load_text(R"({"logs": {"keep": 2}, "root": {}})", options());
  ASSERT_TRUE(r.tree);
  EXPECT_EQ(r.tree->logs.max_bytes, 10485760u);
  EXPECT_EQ(r.tree->logs.keep, 2);
}

}  // namespace
}  // namespace arbor::config::test
