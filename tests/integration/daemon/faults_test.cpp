// Faults of round 2 on the real arbord, each with a worker beside it that crash-loops the
// whole time: the fault is contained and supervision of everything else goes on (issue
// #19, docs/RELIABILITY.md). A probe target that accepts and never answers, an exec probe
// that forks and hangs, and a thousand `watch --since 0` clients at once that never read.
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <sstream>
#include <iostream>
#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/arbord_instance.h"
#include "tests/support/control.h"
#include "tests/support/proc.h"

namespace arbor::testing {
namespace {

using nlohmann::json;

// The file's bytes, "" while it does not exist (read with read(2): it grows meanwhile).
std::string slurp_file(const std::string& path) {
  std::string text;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return text;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) text.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  return text;
}

// `crash` exits 1 every 50 ms for as long as the test runs; the tree never gives up.
json tree_with_crash_loop(json worker) {
  json crash = child("crash", {"--after", "50", "--exit", "1"});
  return {{"root",
           {{"strategy", "one_for_one"},
            {"max_restarts", 100000},
            {"max_seconds", 1},
            {"children", json::array({std::move(worker), crash})}}}};
}

// Supervision goes on: `crash` is restarted `n` more times, and `status` answers.
void expect_supervision_goes_on(ArbordInstance& arbord, int n = 5) {
  for (int i = 0; i < n; ++i) {
    ASSERT_TRUE(arbord.await_event({{"event", "started"}, {"path", "crash"}}, 10s)) << "restart " << i;
  }
  const auto status = arbord.request("status");
  ASSERT_TRUE(status);
  EXPECT_EQ((*status)["ok"], true);
}

// A TCP listener that never accepts: connections complete in its backlog, and a request
// sent on one is never answered.
class Silent {
 public:
  Silent() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd_, 128) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ADD_FAILURE() << "cannot listen on the loopback: " << errno;
    }
    port_ = ntohs(addr.sin_port);
  }
  ~Silent() { close(fd_); }
  Silent(const Silent&) = delete;
  Silent& operator=(const Silent&) = delete;
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST(Faults, AProbeTargetThatAcceptsAndNeverAnswersTimesOutAndSupervisionGoesOn) {
  ArbordInstance arbord;
  Silent target;
  const std::string url = "http://127.0.0.1:" + std::to_string(target.port()) + "/healthz";
  json w =
      child("w", {}, {{"health", {{"http", url}, {"interval", 100}, {"timeout", 300}, {"failures", 2}}}});
  arbord.start(tree_with_crash_loop(w));
  ASSERT_TRUE(arbord.await_ready());
  const auto sick = arbord.await_event({{"event", "unhealthy"}, {"path", "w"}}, 10s);
  ASSERT_TRUE(sick);
  EXPECT_EQ((*sick)["error"], "GET /healthz: timed out after 300 ms");
  EXPECT_TRUE(arbord.await_event({{"event", "exited"}, {"path", "w"}, {"health", true}}));
  EXPECT_TRUE(arbord.await_event({{"event", "started"}, {"path", "w"}}));
  expect_supervision_goes_on(arbord);
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
}

TEST(Faults, AnExecProbeThatForksAndHangsIsKilledWithWhatItForked) {
  ArbordInstance arbord;
  const std::string record = arbord.path("probe.pids");
  // Each probe forks a sleep, then records its own pid and the sleep's on one line, then
  // waits forever.
  const std::string script = "sleep 100000 & echo $$ $! >> " + record + "; wait";
  json w =
      child("w", {},
            {{"health",
              {{"exec", {"/bin/sh", "-c", script}}, {"interval", 100}, {"timeout", 500}, {"failures", 1}}}});
  arbord.start(tree_with_crash_loop(w));
  ASSERT_TRUE(arbord.await_ready());
  const auto sick = arbord.await_event({{"event", "unhealthy"}, {"path", "w"}}, 10s);
  ASSERT_TRUE(sick);
  EXPECT_EQ((*sick)["error"], "exec: timed out after 500 ms");
  // A probe that got as far as its fork (on a loaded machine the first may not have) left
  // its line; that shell and the sleep it forked are both gone: the probe's process group
  // is killed, and arbord, their subreaper, reaps them.
  pid_t shell = 0;
  pid_t forked = 0;
  ASSERT_TRUE(poll_until(
      [&] {
        std::istringstream in(slurp_file(record));
        return static_cast<bool>(in >> shell >> forked);
      },
      10s));
  EXPECT_TRUE(poll_until([&] { return dead(shell) && dead(forked); }, 10s)) << shell << " " << forked;
  expect_supervision_goes_on(arbord);
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
}

// Each client replays the whole history and then follows; none reads. arbord queues at
// most the watch high water (64 KiB) per client, the crash loop goes on, and once the
// clients go every descriptor they held is closed.
TEST(Faults, AThousandWatchSinceZeroClientsThatNeverReadStallNothing) {
  constexpr int kClients = 1000;
  rlimit limit{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
  if (limit.rlim_max < 2 * kClients + 100) GTEST_SKIP() << "RLIMIT_NOFILE hard limit " << limit.rlim_max;
  limit.rlim_cur = limit.rlim_max;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &limit), 0);

  ArbordInstance arbord;
  arbord.start(tree_with_crash_loop(child("steady", {})));
  ASSERT_TRUE(arbord.await_ready());
  expect_supervision_goes_on(arbord, 20);  // some history to replay
  const pid_t pid = arbord.arbord_pid();
  const std::size_t fds_before = fd_count(pid);
  const long rss_before = rss_kb(pid);

  std::vector<std::unique_ptr<Control>> clients;
  for (int i = 0; i < kClients; ++i) {
    auto c = std::make_unique<Control>();
    ASSERT_TRUE(c->connect(arbord.socket(), 5s)) << "client " << i;
    ASSERT_NE(c->send("watch", {{"since", 0}}), 0) << "client " << i;
    clients.push_back(std::move(c));
  }
  expect_supervision_goes_on(arbord, 20);
  EXPECT_TRUE(poll_until([&] { return fd_count(pid) >= fds_before + kClients; }, 10s));
  const long rss_with = rss_kb(pid);
  std::cout << "arbord with " << kClients << " watch clients: RSS " << rss_before << " -> " << rss_with
            << " KiB, fds " << fds_before << " -> " << fd_count(pid) << "\n";

  // A client that starts reading now gets the reply, then every event from seq 1 on.
  Control& reader = *clients.front();
  const auto reply = reader.next_reply(10s);
  ASSERT_TRUE(reply);
  EXPECT_EQ((*reply)["ok"], true);
  for (std::uint64_t seq = 1; seq <= 200; ++seq) {
    const auto e = reader.next_event(10s);
    ASSERT_TRUE(e) << "seq " << seq;
    ASSERT_EQ((*e)["seq"], seq);
  }

  clients.clear();
  EXPECT_TRUE(poll_until([&] { return fd_count(pid) <= fds_before; }, 10s))
      << fd_count(pid) << " descriptors, " << fds_before << " before";
  expect_supervision_goes_on(arbord);
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
}

}  // namespace
}  // namespace arbor::testing
