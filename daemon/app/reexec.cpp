// `arborctl reexec`, the old program's half (docs/DESIGN.md, "In-place upgrade"): check the
// binary, take the state of a quiet tree, write it into a memfd, let the new binary read it
// once as a dry run, then keep exactly the descriptors it names and execve (same pid).
// Every step before execve can fail and leave this program in charge, saying why.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <unordered_set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "daemon/app/app.h"
#include "daemon/app/reexec_state.h"
#include "daemon/control/socket/control_server.h"
#include "daemon/host/cgroup_tree.h"
#include "daemon/host/group_record.h"

extern char** environ;

namespace arbor::app {

namespace {

using Refusal = control::Daemon::ReexecRefusal;

constexpr int kCheckTimeoutMs = 10000;

Refusal refuse(core::ErrorCode code, std::string why) { return {code, std::move(why)}; }

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

bool write_all(int fd, const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

// Runs `binary --reexec-check STATE`: the new program reads the very bytes it will adopt
// and says whether it can (a missing library, a script that fails, a format it does not
// know all show here, while this program can still go on). Waited for synchronously,
// bounded: arbord's reaper never sees this child.
std::string dry_run(const std::string& binary, int memfd) {
  std::vector<std::string> args{binary, "--reexec-check", "/proc/self/fd/3"};
  auto argv = c_strings(args);
  int err_pipe[2];
  if (::pipe2(err_pipe, O_CLOEXEC) < 0) return fmt::format("pipe: {}", std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  posix_spawn_file_actions_adddup2(&actions, memfd, 3);  // (glibc clears FD_CLOEXEC when equal)
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, binary.c_str(), &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(err_pipe[1]);
  if (rc != 0) {
    ::close(err_pipe[0]);
    return fmt::format("cannot run {}: {}", binary, std::strerror(rc));
  }
  // Its stderr until EOF or the deadline, then its status.
  std::string err;
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  char buf[4096];
  for (int waited = 0; waited < kCheckTimeoutMs;) {
    pollfd p{err_pipe[0], POLLIN, 0};
    if (::poll(&p, 1, 100) == 0) {
      waited += 100;
      continue;
    }
    const ssize_t n = ::read(err_pipe[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (err.size() < 8192) err.append(buf, static_cast<std::size_t>(n));
  }
  ::close(err_pipe[0]);
  if (pidfd >= 0) {
    pollfd p{pidfd, POLLIN, 0};
    if (::poll(&p, 1, 1000) == 0) ::kill(pid, SIGKILL);
    ::close(pidfd);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
  while (!err.empty() && (err.back() == '\n' || err.back() == ' ')) err.pop_back();
  if (const auto nl = err.rfind('\n'); nl != std::string::npos) err = err.substr(nl + 1);
  const std::string how = WIFEXITED(status) ? fmt::format("exit status {}", WEXITSTATUS(status))
                                            : fmt::format("killed by signal {}", WTERMSIG(status));
  return fmt::format("{} failed its check of the state ({}){}{}", binary, how, err.empty() ? "" : ": ", err);
}

// FD_CLOEXEC is the only descriptor flag: one F_SETFD each, no F_GETFD (10,000 descriptors
// at 5,000 workers).
void set_cloexec(const std::vector<int>& fds, bool on) {
  for (const int fd : fds) ::fcntl(fd, F_SETFD, on ? FD_CLOEXEC : 0);
}

}  // namespace

control::Daemon::ReexecRefusal App::reexec(const std::string& binary_arg, int client_fd,
                                           const nlohmann::json& id) {
  const std::string binary = binary_arg.empty() ? options_.self_path : binary_arg;
  struct stat st {};
  if (binary.empty() || ::stat(binary.c_str(), &st) != 0)
    return refuse(core::ErrorCode::not_found, fmt::format("{}: {}", binary, std::strerror(errno)));
  if (!S_ISREG(st.st_mode) || ::access(binary.c_str(), X_OK) != 0)
    return refuse(core::ErrorCode::bad_request, fmt::format("{}: not an executable file", binary));
  if (stopping_ || finished_) return refuse(core::ErrorCode::busy, "arbord is stopping");

  ReexecState state;
  std::string why;
  auto snapshot = tree_->snapshot(why);
  if (!snapshot || !runner_->handover(state.workers, state.listen, why))
    return refuse(core::ErrorCode::busy, "not now: " + why + "; try again in a moment");
  state.snapshot = std::move(*snapshot);
  // The tree's live workers and the runner's must be the same: a probe's process (the
  // runner's alone) or an exit on its way would differ.
  std::unordered_set<std::uint64_t> tokens;
  for (const auto& p : core::processes(state.snapshot)) tokens.insert(p.token);
  bool same = tokens.size() == state.workers.size();
  for (const auto& w : state.workers) same = same && tokens.count(w.token) == 1;
  if (!same) return refuse(core::ErrorCode::busy, "not now: a probe or an exit is in progress; try again");

  ReexecHeader& h = state.header;
  if (const char* v = std::getenv("ARBOR_REEXEC_STATE_VERSION")) h.version = std::atoi(v);  // tests only
  h.client_fd = client_fd;
  h.request_id = id;
  h.fds.push_back(client_fd);
  state.listener_fd = control_->listener_fd();
  if (state.listener_fd >= 0) h.fds.push_back(state.listener_fd);
  if (options_.group_record) {
    state.record_path = options_.group_record->path();
    state.record_fd = options_.group_record->fd();
    h.fds.push_back(state.record_fd);
  }
  if (cgroups_) state.cgroup_instance = cgroups_->instance();
  // Held listening sockets stay open through the exec: a client connecting meanwhile waits
  // in the backlog, and the next spawn passes the same socket.
  for (const auto& l : state.listen) h.fds.push_back(l.fd);
  for (const auto& w : state.workers) {
    h.groups.push_back(w.pid);
    for (const int fd : {w.pidfd, w.log_fd, w.ready_channel, w.watchdog_channel})
      if (fd >= 0) h.fds.push_back(fd);
  }
  state.argv = options_.argv;
  state.config_path = options_.config_path;
  state.tree = options_.tree;
  state.event_seq = events_.last_seq();
  for (std::uint64_t seq = events_.oldest_kept(); seq <= events_.last_seq(); ++seq)
    if (auto e = events_.kept(seq)) state.history.push_back(std::move(*e));
  const std::string bytes = encode(state);
  if (const char* dump = std::getenv("ARBOR_REEXEC_DUMP")) {  // a copy of the state, for debugging
    const int fd = ::open(dump, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd >= 0 && write_all(fd, bytes)) spdlog::info("reexec: state written to {}", dump);
    if (fd >= 0) ::close(fd);
  }

  const int memfd = ::memfd_create("arbord-reexec-state", MFD_CLOEXEC);
  if (memfd < 0 || !write_all(memfd, bytes) || ::lseek(memfd, 0, SEEK_SET) != 0) {
    const int err = errno;
    if (memfd >= 0) ::close(memfd);
    return refuse(core::ErrorCode::start_failed, fmt::format("memfd: {}", std::strerror(err)));
  }
  spdlog::info("reexec: {} bytes of state; {} checks it", bytes.size(), binary);
  if (std::getenv("ARBOR_REEXEC_SKIP_CHECK") == nullptr) {  // tests of the fallback only
    if (const std::string failed = dry_run(binary, memfd); !failed.empty()) {
      ::close(memfd);
      spdlog::warn("reexec: {}; this arbord stays in charge", failed);
      return refuse(core::ErrorCode::start_failed, failed);
    }
  }

  std::vector<std::string> args{binary};
  args.insert(args.end(), options_.argv.begin() + (options_.argv.empty() ? 0 : 1), options_.argv.end());
  args.push_back("--deserialize");
  args.push_back(std::to_string(memfd));
  auto argv = c_strings(args);
  spdlog::info("reexec: handing {} workers over to {}", state.workers.size(), binary);
  spdlog::default_logger()->flush();
  h.fds.push_back(memfd);
  set_cloexec(h.fds, false);
  ::execve(binary.c_str(), argv.data(), environ);
  const int err = errno;
  set_cloexec(h.fds, true);
  ::close(memfd);
  spdlog::warn("reexec: execve {}: {}; this arbord stays in charge", binary, std::strerror(err));
  return refuse(core::ErrorCode::start_failed, fmt::format("execve {}: {}", binary, std::strerror(err)));
}

}  // namespace arbor::app
