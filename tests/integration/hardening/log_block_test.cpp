// arbord never blocks on its own output: with its stderr a pipe that nobody reads (journald
// stalled, a terminal paused with Ctrl-S) and a worker crashing in a loop, supervision and
// the control socket go on; lines that did not fit are dropped whole, counted, and said
// once stderr is read again.
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/arbord_instance.h"
#include "tests/support/control.h"
#include "tests/support/proc.h"

extern char** environ;

namespace arbor::testing {
namespace {

using nlohmann::json;

int unread_bytes(int fd) {
  int n = 0;
  return ioctl(fd, FIONREAD, &n) == 0 ? n : -1;
}

TEST(LogBlock, AStderrNobodyReadsNeverStallsSupervision) {
  char tmpl[] = "/tmp/arbor-logblock.XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  const std::string socket = dir + "/arbord.sock";
  // A worker that dies at once, forever: three log lines per death (exited, restarting,
  // started) fill a 64 KiB pipe within a few hundred restarts.
  json config = {
      {"socket", socket},
      {"log_dir", dir + "/logs"},
      {"root",
       {{"max_restarts", 1000000000},
        {"max_seconds", 1},
        {"children", json::array({child("crash", {"--after", "0", "--exit", "1"}), child("steady", {})})}}}};
  std::ofstream(dir + "/arbor.json") << config.dump();

  int err[2];
  ASSERT_EQ(pipe2(err, O_CLOEXEC), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  std::vector<std::string> args{ARBORD_BIN, "--config", dir + "/arbor.json", "--log-level", "info"};
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  ASSERT_EQ(posix_spawn(&pid, ARBORD_BIN, &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  close(err[1]);
  const int log = err[0];
  // A failed assertion returns early: arbord must not outlive the test.
  struct Reap {
    pid_t pid;
    ~Reap() {
      if (pid > 0 && kill(pid, SIGKILL) == 0) waitpid(pid, nullptr, 0);
    }
  } reap{pid};

  // The pipe fills up and stays full: nobody reads it.
  const int capacity = fcntl(log, F_GETPIPE_SZ);
  ASSERT_TRUE(poll_until([&] { return unread_bytes(log) >= capacity - 4096; }, 20s))
      << "arbord's stderr never filled: " << unread_bytes(log) << " of " << capacity;

  // Supervision goes on and every request is answered, while the pipe stays full.
  Control control;
  ASSERT_TRUE(control.connect(socket));
  std::int64_t restarts = -1;
  for (int i = 0; i < 20; ++i) {
    const auto reply = control.call("status", {{"path", "crash"}}, 5s);
    ASSERT_TRUE(reply) << "status " << i << " got no answer: arbord is blocked on its stderr";
    ASSERT_TRUE((*reply)["ok"].get<bool>()) << reply->dump();
    const std::int64_t now = (*reply)["result"]["restarts"].get<std::int64_t>();
    EXPECT_GE(now, restarts);
    restarts = now;
  }
  ASSERT_TRUE(poll_until(
      [&] {
        const auto reply = control.call("status", {{"path", "crash"}}, 5s);
        // ~3 lines (~250 bytes) per restart: 2,000 restarts are twice the 256 KiB arbord
        // holds. The deadline is generous: under ASan on a loaded machine, with a cgroup per
        // restart, it restarts at only ~40/s.
        return reply && (*reply)["result"]["restarts"].get<std::int64_t>() > restarts + 2000;
      },
      200s))
      << "the crashing worker is no longer restarted";
  EXPECT_GE(unread_bytes(log), capacity - 4096) << "the pipe was drained by someone else";

  // Reading again: what was held comes out in whole lines, then the count of the dropped.
  std::string text;
  const std::regex dropped("arbord: stderr was not writable: ([0-9]+) log lines? dropped");
  std::smatch m;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (!std::regex_search(text, m, dropped) && std::chrono::steady_clock::now() < deadline) {
    pollfd p{log, POLLIN, 0};
    if (poll(&p, 1, 200) <= 0) continue;
    char buf[65536];
    const ssize_t n = read(log, buf, sizeof buf);
    if (n <= 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  ASSERT_TRUE(std::regex_search(text, m, dropped)) << "no line counts the dropped lines";
  EXPECT_GT(std::stoll(m[1]), 0);
  kill(pid, SIGTERM);
  while (true) {  // read to EOF (arbord's exit), so its last lines are never what blocks it
    char buf[65536];
    const ssize_t n = read(log, buf, sizeof buf);
    if (n <= 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  reap.pid = -1;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  close(log);

  // No line is glued to another or cut: each is a whole log line or the drop count.
  std::istringstream lines(text);
  const std::regex whole(
      R"(^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3} \w+ +.+|arbord: stderr was not writable: .+)$)");
  int count = 0;
  for (std::string line; std::getline(lines, line); ++count)
    EXPECT_TRUE(std::regex_match(line, whole)) << "line " << count << ": " << line;
  EXPECT_GT(count, 100);
  std::string out;
  run_command("rm -rf '" + dir + "'", out);
}

}  // namespace
}  // namespace arbor::testing
