// docs/SEMANTICS.md "Exec environment": session, signals, descriptors, variables, user, umask.
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "daemon/host/exec_env.h"
#include "tests/unit/host/host_fixture.h"

namespace arbor::host::testing {
namespace {

using Kind = Event::Kind;
using Lines = std::vector<std::string>;

TEST(BuildEnvironment, DropsServiceManagerVariablesAndAppliesOverrides) {
  const char* parent[] = {"PATH=/bin",    "NOTIFY_SOCKET=/run/x", "WATCHDOG_USEC=5", "WATCHDOG_PID=1",
                          "LISTEN_FDS=2", "LISTEN_PID=3",         "FOO=parent",      "NOEQUALS",
                          nullptr};
  auto env =
      build_environment(const_cast<char* const*>(parent), {{"FOO", "spec"}, {"BAR", "1"}, {"BAR", "2"}});
  EXPECT_EQ(env, (Lines{"PATH=/bin", "FOO=spec", "BAR=2"}));
}

TEST_F(HostTest, WorkerEnvironmentExcludesServiceManagerVariables) {
  setenv("NOTIFY_SOCKET", "/run/systemd/notify", 1);
  setenv("WATCHDOG_USEC", "1000", 1);
  setenv("LISTEN_FDS", "1", 1);
  setenv("ARBOR_TEST_FOO", "parent", 1);
  auto spec =
      child({"--print-env", "NOTIFY_SOCKET", "--print-env", "WATCHDOG_USEC", "--print-env", "LISTEN_FDS",
             "--print-env", "ARBOR_TEST_FOO", "--print-env", "ARBOR_TEST_BAR", "--after", "0"});
  spec.env = {{"ARBOR_TEST_FOO", "spec"}, {"ARBOR_TEST_BAR", "1"}};
  spawn(1, spec);
  const Event* end = wait_end(1);
  for (const char* name : {"NOTIFY_SOCKET", "WATCHDOG_USEC", "LISTEN_FDS", "ARBOR_TEST_FOO"}) unsetenv(name);
  ASSERT_NE(end, nullptr);
  EXPECT_EQ(log_lines("w"), (Lines{"NOTIFY_SOCKET unset", "WATCHDOG_USEC unset", "LISTEN_FDS unset",
                                   "ARBOR_TEST_FOO=spec", "ARBOR_TEST_BAR=1"}));
}

TEST_F(HostTest, NotifyWorkerGetsItsOwnNotifySocket) {
  setenv("NOTIFY_SOCKET", "/run/systemd/notify", 1);
  auto spec = child({"--print-env", "NOTIFY_SOCKET", "--notify", "--after", "0"});
  spec.ready.kind = config::Ready::Kind::notify;
  spawn(1, spec);
  const Event* end = wait_end(1);
  unsetenv("NOTIFY_SOCKET");
  ASSERT_NE(end, nullptr);
  const Lines lines = log_lines("w");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].substr(0, 15), "NOTIFY_SOCKET=@");
  EXPECT_NE(find(Kind::ready, 1), nullptr);
}

TEST_F(HostTest, OnlyStdioAndReadyFdAreInherited) {
  const int leaked = ::open("/dev/null", O_RDONLY);  // not close-on-exec on purpose
  int leaked_pipe[2];
  ASSERT_EQ(pipe(leaked_pipe), 0);
  spawn(1, child({"--list-fds", "--after", "0"}), "a");
  auto spec = child({"--list-fds", "--after", "0"});
  spec.ready.kind = config::Ready::Kind::fd;
  spec.ready.fd = 7;
  spawn(2, spec, "b");
  const Event* a = wait_end(1);
  const Event* b = wait_end(2);
  ::close(leaked);
  ::close(leaked_pipe[0]);
  ::close(leaked_pipe[1]);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(log_lines("a"), Lines{"fds: 0 1 2"});
  EXPECT_EQ(log_lines("b"), Lines{"fds: 0 1 2 7"});
}

TEST_F(HostTest, WorkerIsASessionLeaderWithDefaultSignals) {
  // Give the parent an ignored and a blocked signal; the worker must have neither.
  struct sigaction ignore {};
  struct sigaction saved {};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGUSR1, &ignore, &saved);
  sigset_t block;
  sigset_t saved_mask;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR2);
  sigprocmask(SIG_BLOCK, &block, &saved_mask);
  spawn(1, child({"--print-pgid", "--print-sigs", "--after", "0"}));
  const Event* end = wait_end(1);
  sigaction(SIGUSR1, &saved, nullptr);
  sigprocmask(SIG_SETMASK, &saved_mask, nullptr);
  ASSERT_NE(end, nullptr);
  const int pid = find(Kind::spawned, 1)->pid;
  const std::string p = std::to_string(pid);
  EXPECT_EQ(log_lines("w"), (Lines{"pid=" + p + " pgid=" + p + " sid=" + p,
                                   "sigblk=0000000000000000 sigign=0000000000000000"}));
}

TEST_F(HostTest, StdinIsDevNull) {
  auto spec = child({});
  spec.command = {"/bin/sh", "-c", "readlink /proc/self/fd/0"};
  spawn(1, spec);
  ASSERT_NE(wait_end(1), nullptr);
  EXPECT_EQ(log_lines("w"), Lines{"/dev/null"});
}

TEST_F(HostTest, UmaskIsApplied) {
  auto spec = child({"--print-umask", "--after", "0"});
  spec.umask = 027;
  spawn(1, spec);
  ASSERT_NE(wait_end(1), nullptr);
  EXPECT_EQ(log_lines("w"), Lines{"umask=0027"});
}

TEST_F(HostTest, RunsAsAnotherUserWithOnlyItsGroup) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  // nobody must be able to exec the helper: copy it into a world-readable directory.
  const std::string bin_dir = dir_ + "/bin";
  std::filesystem::create_directories(bin_dir);
  std::filesystem::copy_file(test_child_path(), bin_dir + "/test_child");
  ASSERT_EQ(chmod(dir_.c_str(), 0755), 0);
  ASSERT_EQ(chmod(bin_dir.c_str(), 0755), 0);
  auto spec = child({"--print-ids", "--after", "0"});
  spec.command.set(0, bin_dir + "/test_child");
  spec.uid = 65534;
  spec.gid = 65534;
  spawn(1, spec);
  const Event* end = wait_end(1);
  ASSERT_NE(end, nullptr);
  ASSERT_EQ(end->kind, Kind::exited) << end->text;
  EXPECT_EQ(log_lines("w"), Lines{"uid=65534 gid=65534 groups=65534"});
}

TEST_F(HostTest, FileOutputIsOpenedAsTheWorkersUser) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  ASSERT_EQ(chmod(dir_.c_str(), 0755), 0);  // root-owned and not writable by nobody
  auto spec = child({"--after", "0"});
  spec.command = {"/bin/true"};
  spec.uid = 65534;
  spec.gid = 65534;
  spec.stdout_spec = {config::Output::Kind::file, dir_ + "/out.txt"};
  spawn(1, spec);
  const Event* end = wait_end(1);
  ASSERT_NE(end, nullptr);
  EXPECT_EQ(end->text, "open stdout: Permission denied");
}

}  // namespace
}  // namespace arbor::host::testing
