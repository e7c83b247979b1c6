// reexec in main(): reading the state from the memfd, the dry run the old program asks
// for (`--reexec-check`), and the fallback that leaves no worker unsupervised.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

#include "arbor_version.h"
#include "daemon/app/reexec_state.h"
#include "daemon/core/host.h"
#include "daemon/core/supervisor_tree.h"

namespace arbor::app {

namespace {

// The dry run's host: the snapshot is adopted on it to prove it fits its spec; nothing runs.
class NullHost final : public core::Host {
 public:
  void spawn(core::SpawnToken, const std::string&, const config::WorkerSpec&) override {}
  void signal(core::SpawnToken, int) override {}
  void probe(core::SpawnToken, std::uint64_t, const config::Probe&, const config::WorkerSpec&) override {}
  void cancel_probe(core::SpawnToken) override {}
  void arm_timer(core::TimerToken, core::Millis) override {}
  void cancel_timer(core::TimerToken) override {}
  std::uint64_t emit(const core::Event&) override { return 0; }
  void outcome(const core::Outcome&) override {}
  void save_operator_stops(const std::vector<std::string>&) override {}
  double random_unit() override { return 0.5; }
};

}  // namespace

bool read_state(int fd, std::string& bytes, std::string& why) {
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      why = fmt::format("cannot read the reexec state (descriptor {}): {}", fd, std::strerror(errno));
      ::close(fd);
      return false;
    }
    if (n == 0) break;
    bytes.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return true;
}

bool check_state(std::string_view bytes, std::string& why) {
  ReexecState state;
  if (!decode(bytes, state, why)) return false;
  NullHost host;
  core::SupervisorTree tree(host, state.snapshot.root_spec);
  return tree.adopt(state.snapshot, 0, why);
}

int check_state_file(const std::string& path) {
  std::string bytes;
  std::string why;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) why = fmt::format("{}: {}", path, std::strerror(errno));
  if (fd >= 0 && read_state(fd, bytes, why) && check_state(bytes, why)) return 0;
  std::fprintf(stderr, "arbord %s: %s\n", ARBOR_VERSION, why.c_str());
  return 1;
}

void abandon_handover(const ReexecHeader& header, const std::vector<int>& keep) {
  for (const int fd : header.fds)
    if (fd > 2 && std::find(keep.begin(), keep.end(), fd) == keep.end()) ::close(fd);
  for (const pid_t pgid : header.groups)
    if (pgid > 1) ::kill(-pgid, SIGKILL);
  for (const pid_t pgid : header.groups) {
    while (pgid > 1 && ::waitpid(pgid, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
}

}  // namespace arbor::app
