// ArbordInstance: the boot gate (Watch::from_boot), a first child that holds the boot until
// the test's watch is connected, so that no boot event is missed.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include <gtest/gtest.h>

#include "tests/support/arbord_instance.h"
#include "tests/support/proc.h"

namespace arbor::testing {

namespace {
using Clock = std::chrono::steady_clock;

// The gate (see the header): says "up" on one FIFO once it runs, and becomes ready (a
// newline on fd 3) when a line arrives on the other. Once the gate has been opened (the
// file $3 exists), a restarted gate is ready at once.
constexpr const char* kGateScript =
    "[ -e \"$3\" ] || { echo up > \"$1\" && read go < \"$2\"; } && echo >&3 && exec 3>&- && exec \"$4\"";
}  // namespace

nlohmann::json ArbordInstance::with_gate(nlohmann::json tree) {
  const std::string up = path("gate.up");
  const std::string go = path("gate.go");
  if (mkfifo(up.c_str(), 0600) != 0 || mkfifo(go.c_str(), 0600) != 0) {
    ADD_FAILURE() << "mkfifo: " << std::strerror(errno);
    return tree;
  }
  // Ours is opened first, so that neither of the gate's opens blocks: read-only and
  // non-blocking for "up" (no POLLHUP before a writer came), read-write for "go".
  give_to_owner(up);
  give_to_owner(go);
  gate_up_fd_ = open(up.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  gate_go_fd_ = open(go.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
  const nlohmann::json gate = {
      {"id", "gate"},
      {"command", {"/bin/sh", "-c", kGateScript, "gate", up, go, path("gate.opened"), test_child()}},
      {"ready", {{"fd", 3}, {"timeout", 60000}}}};
  auto& children = tree["root"]["children"];
  children.insert(children.begin(), gate);
  return tree;
}

bool ArbordInstance::await_gate_up() {
  const auto deadline = Clock::now() + 30s;
  while (gate_up_fd_ >= 0) {
    char buf[64];
    if (read(gate_up_fd_, buf, sizeof buf) > 0) {
      // Closed at once: after the gate's writer is gone the FIFO would poll as hung up.
      close(gate_up_fd_);
      gate_up_fd_ = -1;
      return true;
    }
    if (exit_status_) return false;
    if (Clock::now() >= deadline) {
      ADD_FAILURE() << "the gate child did not run within 30 s";
      return false;
    }
    pump(time_left(deadline));
  }
  return false;
}

void ArbordInstance::release_gate() {
  if (gate_go_fd_ < 0) return;
  std::ofstream(path("gate.opened")).put('\n');
  const char nl = '\n';
  EXPECT_EQ(write(gate_go_fd_, &nl, 1), 1) << std::strerror(errno);
}

}  // namespace arbor::testing
