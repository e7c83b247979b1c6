// Readiness: a newline on fd N, or READY=1 on NOTIFY_SOCKET from the worker's group.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <fstream>
#include <sstream>

#include "tests/unit/host/host_fixture.h"

namespace arbor::host::testing {
namespace {

using Kind = Event::Kind;

config::WorkerSpec with_ready(config::WorkerSpec spec, config::Ready::Kind kind, int fd = -1) {
  spec.ready.kind = kind;
  spec.ready.fd = fd;
  return spec;
}

std::string environ_once(int pid, const std::string& name) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/environ", std::ios::binary);
  for (std::string entry; std::getline(in, entry, '\0');) {
    if (entry.rfind(name + "=", 0) == 0) return entry.substr(name.size() + 1);
  }
  return {};
}

// `spawned` can come before the kernel has set up the new image's environment (the vfork
// parent resumes at the exec's point of no return), so read it again until it is there.
std::string environ_of(int pid, const std::string& name) {
  for (int attempt = 0; attempt < 200; ++attempt) {
    if (std::string value = environ_once(pid, name); !value.empty()) return value;
    usleep(5000);
  }
  return {};
}

void send_datagram(const std::string& target, const std::string& payload) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, target.data(), target.size());
  if (target[0] == '@') addr.sun_path[0] = '\0';
  const int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + target.size());
  EXPECT_EQ(sendto(fd, payload.data(), payload.size(), 0, reinterpret_cast<sockaddr*>(&addr), len),
            static_cast<ssize_t>(payload.size()));
  close(fd);
}

TEST_F(HostTest, ReadyFdNewlineReportsReadyBetweenSpawnedAndExited) {
  spawn(1, with_ready(child({"--sleep-before-ready", "30", "--ready-fd", "5", "--after", "80"}),
                      config::Ready::Kind::fd, 5));
  ASSERT_NE(wait_for(Kind::ready, 1), nullptr);
  EXPECT_EQ(find(Kind::exited, 1), nullptr);
  ASSERT_NE(wait_end(1), nullptr);
  EXPECT_LT(index_of(Kind::spawned, 1), index_of(Kind::ready, 1));
  EXPECT_LT(index_of(Kind::ready, 1), index_of(Kind::exited, 1));
}

TEST_F(HostTest, ReadyFdClosedWithoutNewlineIsNotReady) {
  spawn(1, with_ready(child({"--after", "20"}), config::Ready::Kind::fd, 4));
  ASSERT_NE(wait_end(1), nullptr);
  EXPECT_EQ(find(Kind::ready, 1), nullptr);
}

TEST_F(HostTest, ReadyWrittenJustBeforeExitStillCounts) {
  spawn(1, with_ready(child({"--ready-fd", "3", "--after", "0"}), config::Ready::Kind::fd, 3));
  ASSERT_NE(wait_end(1), nullptr);
  ASSERT_NE(find(Kind::ready, 1), nullptr);
  EXPECT_LT(index_of(Kind::ready, 1), index_of(Kind::exited, 1));
}

TEST_F(HostTest, ReadyFdBelowThreeIsRefused) {
  spawn(1, with_ready(child({}), config::Ready::Kind::fd, 1));
  const Event* end = wait_end(1);
  ASSERT_NE(end, nullptr);
  EXPECT_EQ(end->text, "ready fd: Bad file descriptor");
}

TEST_F(HostTest, NotifyReadyOverAbstractSocket) {
  spawn(1, with_ready(child({"--notify-after", "20"}), config::Ready::Kind::notify));
  ASSERT_NE(wait_for(Kind::ready, 1), nullptr);
  const std::string socket = environ_of(find(Kind::spawned, 1)->pid, "NOTIFY_SOCKET");
  EXPECT_EQ(socket.substr(0, 1), "@");
  runner_->signal(1, SIGTERM);
  ASSERT_NE(wait_end(1), nullptr);
}

TEST_F(HostTest, NotifyFromAGrandchildInTheGroupCounts) {
  auto spec = with_ready(child({}), config::Ready::Kind::notify);
  spec.command = {"/bin/sh", "-c", test_child_path() + " --notify; exec " + test_child_path()};
  spawn(1, spec);
  ASSERT_NE(wait_for(Kind::ready, 1), nullptr);
  runner_->signal(1, SIGKILL);
  ASSERT_NE(wait_end(1), nullptr);
}

TEST_F(HostTest, NotifyFromAnUnrelatedProcessIsIgnored) {
  spawn(1, with_ready(child({"--after", "300"}), config::Ready::Kind::notify));
  const Event* spawned = wait_for(Kind::spawned, 1);
  ASSERT_NE(spawned, nullptr);
  const std::string socket = environ_of(spawned->pid, "NOTIFY_SOCKET");
  ASSERT_FALSE(socket.empty());
  send_datagram(socket, "READY=1");  // from the test process: not in the worker's group
  send_datagram(socket, "STATUS=x\nREADY=1\n");
  ASSERT_NE(wait_end(1), nullptr);
  EXPECT_EQ(find(Kind::ready, 1), nullptr);
}

// Issue 11, fault 2: the notify socket lives as long as the worker. Messages after
// READY=1 are received (a refused one makes test_child print "--notify: Connection
// refused" into the log), STATUS= texts are reported in order, WATCHDOG=1 is accepted.
TEST_F(HostTest, NotifyMessagesAfterReadyAreReceivedAndStatusIsReported) {
  spawn(1, with_ready(child({"--notify", "--sleep", "50", "--notify-text", "STATUS=warming up", "--sleep",
                             "20", "--notify-text", "WATCHDOG=1\nSTATUS=serving 3 clients\n", "--notify-text",
                             "STOPPING=1", "--after", "300"}),
                      config::Ready::Kind::notify));
  ASSERT_NE(wait_for(Kind::ready, 1), nullptr);
  ASSERT_NE(wait_end(1), nullptr);
  std::vector<std::string> texts;
  for (const Event& e : events_) {
    if (e.kind == Kind::status_text && e.token == 1) {
      texts.push_back(e.text);
      EXPECT_LT(index_of(Kind::ready, 1), &e - events_.data());
      EXPECT_LT(&e - events_.data(), index_of(Kind::exited, 1));
    }
  }
  EXPECT_EQ(texts, (std::vector<std::string>{"warming up", "serving 3 clients"}));
  for (const std::string& line : log_lines("w")) EXPECT_EQ(line.find("--notify"), std::string::npos) << line;
}

TEST_F(HostTest, NotifyNeedsAWholeReadyLine) {
  spawn(1, with_ready(child({"--notify-text", "READY=10\nSTATUS=READY=1", "--after", "100"}),
                      config::Ready::Kind::notify));
  ASSERT_NE(wait_end(1), nullptr);
  EXPECT_EQ(find(Kind::ready, 1), nullptr);
  spawn(2, with_ready(child({"--notify-text", "STATUS=ok\nREADY=1\n", "--after", "100"}),
                      config::Ready::Kind::notify));
  ASSERT_NE(wait_end(2), nullptr);
  EXPECT_NE(find(Kind::ready, 2), nullptr);
}

}  // namespace
}  // namespace arbor::host::testing
