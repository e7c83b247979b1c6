// ArbordInstance: the process, its log, its readiness and its exit. The watch, events and
// requests are in arbord_events.cpp, the boot gate in arbord_gate.cpp.
#include "tests/support/arbord_instance.h"
#include "tests/support/proc.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <set>

#include <gtest/gtest.h>

extern char** environ;

namespace arbor::testing {

namespace {
using Clock = std::chrono::steady_clock;

// The arbords of the instances alive in this process: a test may run two at once (a second
// arbord on the first's socket), and one's end must not take the other's arbord with it.
std::set<pid_t>& live_arbords() {
  static std::set<pid_t> pids;
  return pids;
}

// The test process's children but other instances' arbords: what arbord left behind.
std::vector<pid_t> strays() {
  std::vector<pid_t> out;
  std::ifstream in("/proc/self/task/" + std::to_string(getpid()) + "/children");
  pid_t p;
  while (in >> p) {
    if (!live_arbords().contains(p)) out.push_back(p);
  }
  return out;
}

// The datagram socket arbord's sd_notify writes to (docs/ARBORD.md, Type=notify).
int bind_notify_socket(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (fd < 0 || path.size() >= sizeof addr.sun_path) return -1;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

std::string test_child() { return ARBOR_TEST_CHILD; }

nlohmann::json child(const std::string& id, std::vector<std::string> args, nlohmann::json extra) {
  std::vector<std::string> command{test_child()};
  command.insert(command.end(), args.begin(), args.end());
  nlohmann::json j = {{"id", id}, {"command", command}};
  for (auto& [k, v] : extra.items()) j[k] = v;
  return j;
}

ArbordInstance::ArbordInstance() {
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  char tmpl[] = "/tmp/arbor-it-XXXXXX";
  const char* d = mkdtemp(tmpl);
  if (d == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = d;
  socket_ = path("arbord.sock");
}

ArbordInstance::~ArbordInstance() {
  // Before anything is killed: what arbord and its children were doing when the test failed
  // (a wait channel, a system call, a kernel stack), for a hang that cannot be replayed.
  const std::string snapshot =
      ::testing::Test::HasFailure() && pid_ > 0 && !exit_status_ ? process_snapshot(pid_) : std::string();
  if (pid_ > 0 && !exit_status_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  live_arbords().erase(pid_);
  // Whatever survived (a failed test) is killed so the next test starts clean.
  for (pid_t p : strays()) {
    kill(-p, SIGKILL);
    kill(p, SIGKILL);
    waitpid(p, nullptr, 0);
  }
  watch_.reset();
  control_.reset();
  for (int fd : {pidfd_, stderr_fd_, notify_fd_, gate_up_fd_, gate_go_fd_}) {
    if (fd >= 0) close(fd);
  }
  if (::testing::Test::HasFailure()) {
    std::fprintf(stderr, "---- arbord log (%s) ----\n", dir_.c_str());
    for (const auto& l : lines_) std::fprintf(stderr, "%s\n", l.c_str());
    std::fprintf(stderr, "---- events seen (%zu) ----\n", events_.size());
    for (const auto& e : events_) std::fprintf(stderr, "%s\n", e.dump().c_str());
    if (!snapshot.empty()) {
      std::fprintf(stderr, "---- arbord's processes at the failure ----\n%s", snapshot.c_str());
    }
  } else {
    std::string cmd = "rm -rf '" + dir_ + "'";
    if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "could not remove %s\n", dir_.c_str());
  }
}

void ArbordInstance::start(nlohmann::json tree, std::vector<std::string> extra_args, Watch watch) {
  watch_mode_ = watch;
  if (!tree.contains("socket")) tree["socket"] = path("arbord.sock");
  socket_ = tree["socket"].get<std::string>();
  if (!tree.contains("log_dir")) tree["log_dir"] = path("logs");
  if (watch == Watch::from_boot || watch == Watch::held) tree = with_gate(std::move(tree));
  {
    std::ofstream out(path("arbor.json"));
    out << tree.dump(2);
  }
  notify_fd_ = bind_notify_socket(path("notify.sock"));
  ASSERT_GE(notify_fd_, 0) << "cannot bind " << path("notify.sock") << ": " << std::strerror(errno);
  for (const char* f : {"", "arbor.json", "notify.sock"}) give_to_owner(path(f));
  std::vector<std::string> env{"NOTIFY_SOCKET=" + path("notify.sock")};
  env.insert(env.end(), extra_env_.begin(), extra_env_.end());
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, "NOTIFY_SOCKET=", 14) != 0) env.emplace_back(*e);
  }
  std::vector<char*> envp;
  envp.reserve(env.size() + 1);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);

  int fds[2];
  ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  std::vector<std::string> args = launch_.prefix;
  for (const char* a : {ARBORD_BIN, "--config"}) args.emplace_back(a);
  args.insert(args.end(), {path("arbor.json"), "--log-level", "debug"});
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  // A launcher is found on PATH (unshare, setpriv).
  const int rc = launch_.prefix.empty()
                     ? posix_spawn(&pid_, ARBORD_BIN, &actions, nullptr, argv.data(), envp.data())
                     : posix_spawnp(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  ASSERT_EQ(rc, 0) << std::strerror(rc);
  live_arbords().insert(pid_);
  stderr_fd_ = fds[0];
  fcntl(stderr_fd_, F_SETFL, O_NONBLOCK);
  pidfd_ = static_cast<int>(syscall(SYS_pidfd_open, pid_, 0));
  ASSERT_GE(pidfd_, 0) << "pidfd_open: " << std::strerror(errno);

  if (watch == Watch::from_boot || watch == Watch::held) {
    if (!await_gate_up()) return;  // arbord exited first (a bad config), or a failure was added
    if (!open_watch()) return;
    if (watch == Watch::from_boot) release_gate();
  }
}

void ArbordInstance::read_log() {
  if (stderr_fd_ < 0) return;
  char buf[65536];
  for (;;) {
    const ssize_t n = read(stderr_fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) {
        if (!partial_.empty()) lines_.push_back(std::move(partial_));
        partial_.clear();
        close(stderr_fd_);
        stderr_fd_ = -1;
      }
      return;
    }
    partial_.append(buf, static_cast<std::size_t>(n));
    std::size_t nl;
    while ((nl = partial_.find('\n')) != std::string::npos) {
      lines_.push_back(partial_.substr(0, nl));
      partial_.erase(0, nl + 1);
    }
  }
}

void ArbordInstance::read_notify() {
  if (notify_fd_ < 0) return;
  char buf[4096];
  for (ssize_t n; (n = recv(notify_fd_, buf, sizeof buf, 0)) > 0;) {
    const std::string state(buf, static_cast<std::size_t>(n));
    for (std::size_t at = 0; at <= state.size();) {
      const std::size_t end = std::min(state.find('\n', at), state.size());
      ++notify_lines_[state.substr(at, end - at)];
      at = end + 1;
    }
    // "READY=1\nSTATUS=..." : one assignment per line.
    if (state == "READY=1" || state.rfind("READY=1\n", 0) == 0 ||
        state.find("\nREADY=1") != std::string::npos) {
      ready_ = true;
    }
  }
}

int ArbordInstance::notify_count(const std::string& line, std::chrono::milliseconds wait) {
  pump(wait);
  return notify_lines_[line];
}

void ArbordInstance::reap() {
  if (exit_status_ || pid_ <= 0) return;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) != pid_) return;
  exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (pidfd_ >= 0) close(pidfd_);
  pidfd_ = -1;
}

void ArbordInstance::pump(std::chrono::milliseconds wait) {
  std::vector<pollfd> fds;
  for (int fd : {stderr_fd_, notify_fd_, pidfd_, gate_up_fd_, watch_ ? watch_->fd() : -1,
                 control_ ? control_->fd() : -1}) {
    if (fd >= 0) fds.push_back({fd, POLLIN, 0});
  }
  // A connection at EOF polls readable for ever: leave it out.
  if (watch_ && watch_->at_eof()) std::erase_if(fds, [&](const pollfd& p) { return p.fd == watch_->fd(); });
  if (control_ && control_->at_eof())
    std::erase_if(fds, [&](const pollfd& p) { return p.fd == control_->fd(); });
  if (!fds.empty()) poll(fds.data(), fds.size(), static_cast<int>(wait.count()));
  read_log();
  read_notify();
  reap();
  read_streams();
}

std::optional<std::string> ArbordInstance::await(const std::string& pattern,
                                                 std::chrono::milliseconds timeout) {
  const std::regex re(pattern);
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    for (; cursor_ < lines_.size(); ++cursor_) {
      if (std::regex_search(lines_[cursor_], re)) return lines_[cursor_++];
    }
    if (Clock::now() >= deadline || (stderr_fd_ < 0 && cursor_ >= lines_.size())) break;
    pump(time_left(deadline));
  }
  ADD_FAILURE() << "no log line matching /" << pattern << "/ within " << timeout.count() << " ms";
  return std::nullopt;
}

std::vector<std::string> ArbordInstance::lines() {
  pump(0ms);
  return lines_;
}

std::vector<std::string> ArbordInstance::matching(const std::string& pattern) {
  const std::regex re(pattern);
  std::vector<std::string> out;
  for (const auto& l : lines()) {
    if (std::regex_search(l, re)) out.push_back(l);
  }
  return out;
}

Boot ArbordInstance::await_boot(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  pump(0ms);
  while (!ready_ && !exit_status_ && Clock::now() < deadline) pump(time_left(deadline));
  if (!ready_) return exit_status_ ? Boot::exited : Boot::timed_out;
  if (watch_mode_ == Watch::from_ready && !watch_) open_watch();
  if (watch_mode_ != Watch::none && boot_pids_.empty()) take_snapshot();
  return Boot::ready;
}

bool ArbordInstance::await_ready(std::chrono::milliseconds timeout) {
  switch (await_boot(timeout)) {
    case Boot::ready:
      return true;
    case Boot::exited:
      ADD_FAILURE() << "arbord exited with status " << *exit_status_ << " before READY=1";
      return false;
    case Boot::timed_out:
      ADD_FAILURE() << "no READY=1 from arbord within " << timeout.count() << " ms";
      return false;
  }
  return false;
}

void ArbordInstance::give_to_owner(const std::string& file) const {
  if (launch_.owner && chown(file.c_str(), *launch_.owner, *launch_.owner) != 0)
    ADD_FAILURE() << "chown " << file << ": " << std::strerror(errno);
}

pid_t ArbordInstance::arbord_pid() const {
  if (launch_.prefix.empty()) return pid_;
  // Depth first below the launcher (setpriv execs unshare, which forks arbord's process).
  std::vector<pid_t> todo{pid_};
  while (!todo.empty()) {
    const pid_t p = todo.back();
    todo.pop_back();
    std::ifstream comm("/proc/" + std::to_string(p) + "/comm");
    std::string name;
    if (p != pid_ && std::getline(comm, name) && name == "arbord") return p;
    std::ifstream children("/proc/" + std::to_string(p) + "/task/" + std::to_string(p) + "/children");
    for (pid_t c; children >> c;) todo.push_back(c);
  }
  return -1;
}

void ArbordInstance::signal(int signo) {
  const pid_t pid = arbord_pid();
  // Never kill(-1, ...) or kill(0, ...): that would be every process, or the test's group.
  if (pid <= 0) {
    ADD_FAILURE() << "no arbord process to signal";
    return;
  }
  kill(pid, signo);
}

std::optional<int> ArbordInstance::wait_exit(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!exit_status_ && Clock::now() < deadline) pump(time_left(deadline));
  if (!exit_status_) {
    ADD_FAILURE() << "arbord did not exit within " << timeout.count() << " ms";
    return std::nullopt;
  }
  // What it wrote last: its log to EOF, its events to the end of the stream (bounded: a
  // descendant that kept arbord's stderr would hold the pipe open).
  const auto drained = Clock::now() + 5s;
  while ((stderr_fd_ >= 0 || (watch_ && !watch_->at_eof())) && Clock::now() < drained)
    pump(time_left(drained));
  return exit_status_;
}

bool ArbordInstance::no_survivors(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    for (pid_t p : strays()) waitpid(p, nullptr, WNOHANG);  // zombies: reaped, not survivors
    auto left = strays();
    if (left.empty()) return true;
    if (Clock::now() >= deadline) {
      for (pid_t p : left) ADD_FAILURE() << "process " << p << " outlived arbord";
      return false;
    }
    usleep(10000);  // waiting for the kernel to reparent orphans, bounded by the deadline
  }
}

}  // namespace arbor::testing
