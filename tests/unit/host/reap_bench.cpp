// Prints the cost of one worker exit with few vs many live children.
//
// For each population N, N sleeping workers run; then one at a time a worker is killed
// (runner.signal KILL) and the time until its `exited` callback is measured (wall clock
// and arbord CPU), and it is replaced so N stays constant. It also times the one part
// that grows with N, waitid(P_ALL, WNOHANG|WNOWAIT) (a kernel walk of the child list),
// and, for comparison, libuv 1.44's approach of one waitpid(WNOHANG) per child.
// Usage: host_reap_bench [N...]   (default: 10 5000)
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <unordered_map>
#include <vector>

#include "daemon/host/process_runner.h"

namespace {

double now_us() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

double cpu_us() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto us = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) * 1e6 + static_cast<double>(tv.tv_usec);
  };
  return us(ru.ru_utime) + us(ru.ru_stime);
}

void measure(int population) {
  using namespace arbor;
  uv_loop_t loop;
  uv_loop_init(&loop);
  std::vector<std::uint64_t> exited;
  host::RunnerCallbacks callbacks;
  callbacks.exited = [&](std::uint64_t token, host::WaitStatus) { exited.push_back(token); };
  std::size_t spawned = 0;
  std::unordered_map<std::uint64_t, int> pids;
  callbacks.spawned = [&](std::uint64_t token, int pid) {
    ++spawned;
    pids[token] = pid;
  };
  host::ProcessRunner runner(&loop, {"/tmp", {}}, callbacks);

  config::WorkerSpec sleeper;
  sleeper.command = {ARBOR_TEST_CHILD};
  sleeper.stdout_spec.kind = config::Output::Kind::null;
  sleeper.stderr_spec.kind = config::Output::Kind::null;
  std::uint64_t next = 1;
  std::vector<std::uint64_t> live;
  const double spawn_start = now_us();
  for (int i = 0; i < population; ++i) {
    runner.spawn(next, "bench", sleeper);
    live.push_back(next++);
  }
  while (spawned < live.size()) uv_run(&loop, UV_RUN_ONCE);
  const double spawn_us = (now_us() - spawn_start) / population;

  constexpr int kRounds = 200;
  std::vector<double> wall;
  double cpu_total = 0;
  for (int round = 0; round < kRounds; ++round) {
    const std::uint64_t victim = live[static_cast<std::size_t>(round) % live.size()];
    exited.clear();
    const double t0 = now_us();
    const double c0 = cpu_us();
    runner.signal(victim, SIGKILL);
    while (exited.empty()) uv_run(&loop, UV_RUN_ONCE);
    cpu_total += cpu_us() - c0;
    wall.push_back(now_us() - t0);
    runner.spawn(next, "bench", sleeper);  // keep the population constant (not timed)
    live[static_cast<std::size_t>(round) % live.size()] = next++;
    const std::size_t want = spawned + 1;
    while (spawned < want) uv_run(&loop, UV_RUN_ONCE);
  }
  std::sort(wall.begin(), wall.end());

  constexpr int kScans = 2000;
  siginfo_t info{};
  double t0 = now_us();
  for (int i = 0; i < kScans; ++i) waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT);
  const double scan_us = (now_us() - t0) / kScans;
  // libuv 1.44, on every SIGCHLD: waitpid(pid, WNOHANG) for each live child.
  t0 = now_us();
  const int per_child_rounds = 20;
  for (int r = 0; r < per_child_rounds; ++r) {
    for (std::uint64_t token : live) waitpid(pids[token], nullptr, WNOHANG);
  }
  const double libuv_us = (now_us() - t0) / per_child_rounds;

  std::printf(
      "children=%5d  spawn %.0f us/worker  exit->exited: median %.0f us, p90 %.0f us, "
      "arbord CPU %.1f us/exit  waitid(P_ALL) scan %.2f us  (libuv-style %d waitpid calls: %.0f us)\n",
      population, spawn_us, wall[wall.size() / 2], wall[wall.size() * 9 / 10], cpu_total / kRounds, scan_us,
      population, libuv_us);

  for (std::uint64_t token : live) runner.signal(token, SIGKILL);
  while (runner.live() > 0) uv_run(&loop, UV_RUN_ONCE);
  runner.close();
  uv_run(&loop, UV_RUN_DEFAULT);
  if (uv_loop_close(&loop) != 0) std::printf("loop not closed cleanly\n");
}

}  // namespace

int main(int argc, char** argv) {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
  std::vector<int> populations;
  for (int i = 1; i < argc; ++i) populations.push_back(std::atoi(argv[i]));
  if (populations.empty()) populations = {10, 5000};
  for (int n : populations) measure(n);
}
