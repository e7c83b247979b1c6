// arbord's command line and its own output: --check's streams and messages, usage errors,
// ARBOR_CONFIG, comments in the file, NO_COLOR, and the crash line naming the log file.
// The real binary is run; a pseudo-terminal stands in for an operator's terminal.
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "arbor_version.h"
#include "tests/support/arbord_instance.h"
#include "tests/support/proc.h"

namespace arbor::testing {
namespace {

using Outcome = RunResult;

// Reads `fd` until EOF or the deadline (a hung arbord fails the test, never blocks it).
std::string drain(int fd, std::chrono::steady_clock::time_point deadline) {
  std::string text;
  char buf[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  return text;
}

// Waits for `pid` through its pidfd (no polling), at most 20 s.
int await_exit(pid_t pid) {
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  pollfd p{pidfd, POLLIN, 0};
  if (pidfd < 0 || poll(&p, 1, 20000) != 1) {
    ADD_FAILURE() << "arbord did not exit";
    kill(pid, SIGKILL);
  }
  if (pidfd >= 0) close(pidfd);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::vector<char*> argv_of(std::vector<std::string>& args) {
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return argv;
}

// Runs arbord with `args` (and `env` added), stdout and stderr kept apart.
Outcome run_arbord(std::vector<std::string> args, const std::vector<std::string>& env = {}) {
  args.insert(args.begin(), ARBORD_BIN);
  return run(std::move(args), 20s, env);
}

// Runs arbord on a pseudo-terminal (stdout and stderr both), as from an operator's shell.
std::string run_on_terminal(std::vector<std::string> args, const char* no_color) {
  args.insert(args.begin(), ARBORD_BIN);
  int master = -1;
  const pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
  if (pid == 0) {
    if (no_color != nullptr)
      setenv("NO_COLOR", no_color, 1);
    else
      unsetenv("NO_COLOR");
    auto argv = argv_of(args);
    execv(ARBORD_BIN, argv.data());
    _exit(127);
  }
  EXPECT_GT(pid, 0);
  std::string text = drain(master, std::chrono::steady_clock::now() + std::chrono::seconds(20));
  close(master);
  await_exit(pid);
  return text;
}

std::string write_file(const std::string& name, const std::string& text) {
  std::string path = ::testing::TempDir() + "arbord_cli_" + name;
  std::ofstream(path) << text;
  return path;
}

const char* kGood = R"({"root": {"children": [{"id": "a", "command": ["sleep", "5"]}]}})";

TEST(ArbordCli, CheckOfAMissingFileNamesTheFileOnStderr) {
  const Outcome r = run_arbord({"--check", "--config", "/nonexistent/arbor.json"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "/nonexistent/arbor.json: cannot read: No such file or directory\n");
}

TEST(ArbordCli, CheckPrintsOkOnStdoutAndErrorsOnStderr) {
  const Outcome ok = run_arbord({"--check", "--config", write_file("good.json", kGood)});
  EXPECT_EQ(ok.status, 0);
  EXPECT_EQ(ok.out, "ok\n");
  EXPECT_EQ(ok.err, "");
  const Outcome bad =
      run_arbord({"--check", "--config", write_file("bad.json", R"({"root": {"colour": 1}})")});
  EXPECT_EQ(bad.status, 2);
  EXPECT_EQ(bad.out, "");
  EXPECT_EQ(bad.err, "/root/colour: unknown key\n");
  const std::string broken = write_file("broken.json", "{\n  \"root\": {\n");
  const Outcome parse = run_arbord({"--check", "--config", broken});
  EXPECT_EQ(parse.status, 2);
  EXPECT_EQ(parse.err.rfind(broken + ": parse error at line 3, column 1: ", 0), 0u) << parse.err;
}

TEST(ArbordCli, CommentsAreAllowedInTheFile) {
  const Outcome r = run_arbord({"--check", "--config", write_file("comments.json", R"(// the tree of this host
{ /* one worker */ "root": {"children": [{"id": "a", "command": ["sleep", "5"]}]}}  // end
)")});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "ok\n");
}

TEST(ArbordCli, ArborConfigIsTheDefaultConfig) {
  const Outcome r = run_arbord({"--check"}, {"ARBOR_CONFIG=" + write_file("env.json", kGood)});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "ok\n");
}

TEST(ArbordCli, UsageErrorsExitTwoNamingTheArgument) {
  const Outcome unknown = run_arbord({"--bogus"});
  EXPECT_EQ(unknown.status, 2);
  EXPECT_NE(unknown.err.find("--bogus"), std::string::npos) << unknown.err;
  const Outcome level =
      run_arbord({"--log-level", "loud", "--check", "--config", write_file("lvl.json", kGood)});
  EXPECT_EQ(level.status, 2);
  EXPECT_NE(level.err.find("--log-level"), std::string::npos) << level.err;
  const Outcome missing = run_arbord({"--config"});
  EXPECT_EQ(missing.status, 2);
  const Outcome version = run_arbord({"--version"});
  EXPECT_EQ(version.status, 0);
  EXPECT_EQ(version.out, std::string("arbord ") + ARBOR_VERSION + "\n");
  const Outcome help = run_arbord({"--help"});
  EXPECT_EQ(help.status, 0);
  EXPECT_NE(help.out.find("--config"), std::string::npos);
}

// A file arbord rejects at start: its log line is an error, coloured on a terminal.
TEST(ArbordCli, NoColorTurnsOffTheLogsColours) {
  const std::string bad = write_file("color.json", R"({"root": {"colour": 1}})");
  const std::string coloured = run_on_terminal({"--config", bad}, nullptr);
  ASSERT_NE(coloured.find("unknown key"), std::string::npos) << coloured;
  EXPECT_NE(coloured.find("\x1b["), std::string::npos) << "a terminal gets colours without NO_COLOR";
  const std::string plain = run_on_terminal({"--config", bad}, "1");
  ASSERT_NE(plain.find("unknown key"), std::string::npos) << plain;
  EXPECT_EQ(plain.find("\x1b["), std::string::npos) << plain;
  const std::string empty = run_on_terminal({"--config", bad}, "");
  EXPECT_NE(empty.find("\x1b["), std::string::npos) << "an empty NO_COLOR is as if unset (no-color.org)";
}

TEST(ArbordCli, ACrashLineNamesTheWorkersLogFile) {
  ArbordInstance arbord;
  nlohmann::json tree = {
      {"root",
       {{"max_restarts", 100},
        {"children", nlohmann::json::array({child("crash", {"--after", "50", "--exit", "3"}),
                                            child("quiet", {"--after", "50", "--exit", "3"},
                                                  {{"stdout", "null"}, {"stderr", "null"}})})}}}};
  arbord.start(tree);
  const auto line = arbord.await("crash: exited, pid \\d+, code 3, reason abnormal");
  ASSERT_TRUE(line);
  EXPECT_NE(line->find("its output: " + arbord.path("logs") + "/crash.log"), std::string::npos) << *line;
  const auto quiet = arbord.await("quiet: exited, pid \\d+, code 3, reason abnormal");
  ASSERT_TRUE(quiet);
  EXPECT_EQ(quiet->find("its output"), std::string::npos) << "output not captured: no log file to name";
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
}

}  // namespace
}  // namespace arbor::testing
