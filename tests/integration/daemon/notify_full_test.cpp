// arbord's own sd_notify when systemd stops reading it: a datagram socket's queue holds 10
// messages (net.unix.max_dgram_qlen), and a blocking send to a full one waits until the
// reader reads. With WatchdogSec= arbord pings every half interval, so a PID 1 that stalls
// would stall supervision at the next ping. arbord must go on answering, drop the pings,
// and say so (daemon/app/sd_notify.h).
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>

#include "tests/support/arbord_instance.h"
#include "tests/support/proc.h"

namespace arbor::testing {
namespace {

using nlohmann::json;

TEST(SystemdNotify, AFullNotifySocketNeverStallsSupervision) {
  ArbordInstance arbord;
  arbord.add_env("WATCHDOG_USEC=100000");  // WATCHDOG=1 every 50 ms
  arbord.start({{"root", {{"children", {{{"id", "w"}, {"command", {"/bin/sleep", "1000"}}}}}}}});
  ASSERT_TRUE(arbord.await_ready());

  // The test is the stalled PID 1: it reads nothing from here on, and fills the queue itself.
  const int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un to{};
  to.sun_family = AF_UNIX;
  const std::string notify = arbord.path("notify.sock");
  std::strncpy(to.sun_path, notify.c_str(), sizeof to.sun_path - 1);
  auto fill = [&] {
    while (sendto(fd, "X=1", 3, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&to), sizeof to) == 3) {
    }
    return errno == EAGAIN;
  };
  // Full across many of arbord's pings: a blocking send would stop the loop at the first.
  const auto until = std::chrono::steady_clock::now() + 600ms;
  int answered = 0;
  while (answered < 5 || std::chrono::steady_clock::now() < until) {
    ASSERT_TRUE(fill()) << std::strerror(errno);
    const RunResult r = arborctl(arbord.socket(), {"status", "w"}, 5s);
    ASSERT_EQ(r.status, 0) << "arbord stopped answering while its notify socket was full: " << r.err;
    ++answered;
  }
  close(fd);
  // Reading the log also drains the socket (the harness reads it): the pings come again.
  EXPECT_TRUE(arbord.await("systemd's notify socket .* is full \\(nothing reads it\\)"));
  EXPECT_TRUE(arbord.await("systemd's notify socket drains again \\([1-9][0-9]* WATCHDOG=1 pings dropped"));
  const int before = arbord.notify_count("WATCHDOG=1");
  EXPECT_GT(arbord.notify_count("WATCHDOG=1", 2s), before);
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
}

}  // namespace
}  // namespace arbor::testing
