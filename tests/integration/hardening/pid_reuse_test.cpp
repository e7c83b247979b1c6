// (f) pid reuse: a signal meant for a worker that has exited never reaches the unrelated
// process that got its pid.
//
// Mechanism (reaper.h): the runner signals a group only while its leader is unreaped, so
// the number is still reserved; once the exit is reported the token is forgotten and
// ProcessRunner::signal is a no-op. To show it against a real reuse, the test recycles the
// exact pid: in a new pid namespace (as root) it sets /proc/sys/kernel/ns_last_pid to the
// old pid - 1 and forks an unrelated process that makes itself a group leader there, so
// both kill(pid) and kill(-pid) would reach it. Then runner.signal(token, SIGKILL), and
// the victim must still answer a SIGTERM sent afterwards (a SIGKILL takes effect when it
// is sent, so a victim that answers was not killed).
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include <cstring>
#include <string>

#include <gtest/gtest.h>

#include "daemon/host/process_runner.h"

namespace arbor::testing {
namespace {

// Exit codes of the namespace's init process.
constexpr int kPassed = 0;
constexpr int kSkipped = 77;

int g_report = -1;

void say(const std::string& text) {
  ssize_t ignored = write(g_report, text.data(), text.size());
  (void)ignored;
}

int fail(const std::string& why) {
  say(why + "\n");
  return 1;
}

// Runs the loop until `done` or 10 s: each turn blocks until an event (a watchdog timer
// bounds the wait), so nothing is polled.
bool run_until(uv_loop_t* loop, const bool& done) {
  uv_timer_t watchdog;
  uv_timer_init(loop, &watchdog);
  bool expired = false;
  watchdog.data = &expired;
  uv_timer_start(
      &watchdog, [](uv_timer_t* t) { *static_cast<bool*>(t->data) = true; }, 10000, 0);
  while (!done && !expired) uv_run(loop, UV_RUN_ONCE);
  uv_timer_stop(&watchdog);
  uv_close(reinterpret_cast<uv_handle_t*>(&watchdog), nullptr);
  uv_run(loop, UV_RUN_NOWAIT);  // the close callback, before `watchdog` leaves scope
  return done;
}

int victim_main(int answer_fd) {
  setpgid(0, 0);
  static int fd = answer_fd;
  signal(SIGTERM, [](int) {
    ssize_t ignored = write(fd, "TERM\n", 5);
    (void)ignored;
    _exit(0);
  });
  ssize_t ignored = write(fd, "up\n", 3);
  (void)ignored;
  for (;;) pause();
}

std::string read_line(int fd, int timeout_ms) {
  std::string line;
  pollfd p{fd, POLLIN, 0};
  char c;
  while (poll(&p, 1, timeout_ms) > 0 && read(fd, &c, 1) == 1 && c != '\n') line.push_back(c);
  return line;
}

// pid 1 of the new namespace.
int namespace_init() {
  uv_loop_t loop;
  uv_loop_init(&loop);
  bool exited = false;
  int worker_pid = 0;
  host::RunnerCallbacks callbacks;
  callbacks.spawned = [&](std::uint64_t, int pid) { worker_pid = pid; };
  callbacks.exited = [&](std::uint64_t, host::WaitStatus) { exited = true; };
  auto runner = std::make_unique<host::ProcessRunner>(&loop, host::RunnerOptions{}, callbacks);
  config::WorkerSpec spec;
  spec.command = {ARBOR_TEST_CHILD, "--after", "10"};
  spec.stdout_spec.kind = config::Output::Kind::null;
  spec.stderr_spec.kind = config::Output::Kind::null;
  runner->spawn(1, "w", spec);
  if (!run_until(&loop, exited) || worker_pid <= 1) return fail("the worker's exit was not reported");

  // Recycle the pid for an unrelated process.
  const int last = open("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);
  const std::string value = std::to_string(worker_pid - 1);
  if (last < 0 || write(last, value.data(), value.size()) != static_cast<ssize_t>(value.size())) {
    say(std::string("ns_last_pid: ") + std::strerror(errno) + "\n");
    return kSkipped;
  }
  close(last);
  int answer[2];
  if (pipe2(answer, O_CLOEXEC) < 0) return fail("pipe");
  const pid_t victim = fork();
  if (victim == 0) _exit(victim_main(answer[1]));
  close(answer[1]);
  if (victim != worker_pid) {
    kill(victim, SIGKILL);
    say("could not recycle pid " + std::to_string(worker_pid) + " (got " + std::to_string(victim) + ")\n");
    return kSkipped;
  }
  if (read_line(answer[0], 5000) != "up") return fail("the victim did not start");
  if (kill(-worker_pid, 0) != 0)
    return fail("the victim is not a group leader");  // a naive kill(-pgid) would hit it

  runner->signal(1, SIGKILL);  // the exited worker's token
  runner->signal(1, SIGTERM);
  for (int i = 0; i < 10; ++i) uv_run(&loop, UV_RUN_NOWAIT);
  kill(victim, SIGTERM);  // our own marker: only a live victim answers it
  const std::string reply = read_line(answer[0], 5000);
  int status = 0;
  waitpid(victim, &status, 0);
  runner->close();
  uv_run(&loop, UV_RUN_NOWAIT);
  runner.reset();
  uv_run(&loop, UV_RUN_NOWAIT);
  if (reply != "TERM")
    return fail("the victim (pid " + std::to_string(victim) + ") was killed by the runner");
  say("pid " + std::to_string(worker_pid) + " recycled; the stale signal was not delivered\n");
  return kPassed;
}

TEST(PidReuse, SignalForAnExitedWorkerNeverReachesTheNewOwnerOfItsPid) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root for a pid namespace and ns_last_pid";
  int report[2];
  ASSERT_EQ(pipe2(report, O_CLOEXEC), 0);
  const pid_t helper = fork();
  ASSERT_GE(helper, 0);
  if (helper == 0) {
    close(report[0]);
    g_report = report[1];
    if (unshare(CLONE_NEWPID) != 0) {
      say(std::string("unshare(CLONE_NEWPID): ") + std::strerror(errno) + "\n");
      _exit(kSkipped);
    }
    const pid_t init = fork();
    if (init == 0) _exit(namespace_init());
    int status = 0;
    while (waitpid(init, &status, 0) < 0 && errno == EINTR) {
    }
    _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 99);
  }
  close(report[1]);
  std::string text;
  char buf[256];
  pollfd p{report[0], POLLIN, 0};
  while (poll(&p, 1, 30000) > 0) {
    const ssize_t n = read(report[0], buf, sizeof buf);
    if (n <= 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  close(report[0]);
  int status = 0;
  ASSERT_EQ(waitpid(helper, &status, 0), helper);
  ASSERT_TRUE(WIFEXITED(status)) << text;
  if (WEXITSTATUS(status) == kSkipped) GTEST_SKIP() << text;
  EXPECT_EQ(WEXITSTATUS(status), kPassed) << text;
  std::fprintf(stderr, "%s", text.c_str());
}

}  // namespace
}  // namespace arbor::testing
