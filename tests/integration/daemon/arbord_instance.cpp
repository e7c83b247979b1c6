#include "tests/integration/daemon/arbord_instance.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include <gtest/gtest.h>

extern char** environ;

namespace arbor::testing {

namespace {
using Clock = std::chrono::steady_clock;

std::vector<pid_t> children_of_self() {
  std::vector<pid_t> out;
  std::ifstream in("/proc/self/task/" + std::to_string(getpid()) + "/children");
  pid_t p;
  while (in >> p) out.push_back(p);
  return out;
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
}

ArbordInstance::~ArbordInstance() {
  if (pid_ > 0 && !exit_status_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  // Whatever survived (a failed test) is killed so the next test starts clean.
  for (pid_t p : children_of_self()) {
    kill(-p, SIGKILL);
    kill(p, SIGKILL);
  }
  while (waitpid(-1, nullptr, WNOHANG) > 0) {
  }
  if (stderr_fd_ >= 0) close(stderr_fd_);
  if (::testing::Test::HasFailure()) {
    std::fprintf(stderr, "---- arbord log (%s) ----\n", dir_.c_str());
    for (const auto& l : lines_) std::fprintf(stderr, "%s\n", l.c_str());
  } else {
    std::string cmd = "rm -rf '" + dir_ + "'";
    if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "could not remove %s\n", dir_.c_str());
  }
}

void ArbordInstance::start(nlohmann::json tree, std::vector<std::string> extra_args) {
  if (!tree.contains("socket")) tree["socket"] = path("arbord.sock");
  if (!tree.contains("log_dir")) tree["log_dir"] = path("logs");
  {
    std::ofstream out(path("arbor.json"));
    out << tree.dump(2);
  }
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  std::vector<std::string> args{ARBORD_BIN, "--config", path("arbor.json"), "--log-level", "debug"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const int rc = posix_spawn(&pid_, ARBORD_BIN, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  ASSERT_EQ(rc, 0) << std::strerror(rc);
  stderr_fd_ = fds[0];
  fcntl(stderr_fd_, F_SETFL, O_NONBLOCK);
}

void ArbordInstance::read_available(std::chrono::milliseconds wait) {
  if (stderr_fd_ < 0) return;
  pollfd p{stderr_fd_, POLLIN, 0};
  if (poll(&p, 1, static_cast<int>(wait.count())) <= 0) return;
  char buf[65536];
  for (;;) {
    const ssize_t n = read(stderr_fd_, buf, sizeof buf);
    if (n <= 0) {
      if (n == 0) {
        close(stderr_fd_);
        stderr_fd_ = -1;
      }
      break;
    }
    partial_.append(buf, static_cast<std::size_t>(n));
    std::size_t nl;
    while ((nl = partial_.find('\n')) != std::string::npos) {
      lines_.push_back(partial_.substr(0, nl));
      partial_.erase(0, nl + 1);
    }
  }
}

std::optional<std::string> ArbordInstance::await(const std::string& pattern, std::chrono::milliseconds timeout) {
  const std::regex re(pattern);
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    for (; cursor_ < lines_.size(); ++cursor_) {
      if (std::regex_search(lines_[cursor_], re)) return lines_[cursor_++];
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0 || (stderr_fd_ < 0 && cursor_ >= lines_.size())) break;
    read_available(std::min(left, std::chrono::milliseconds(200)));
  }
  ADD_FAILURE() << "no log line matching /" << pattern << "/ within " << timeout.count() << " ms";
  return std::nullopt;
}

std::vector<std::string> ArbordInstance::lines() {
  read_available(0ms);
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

void ArbordInstance::signal(int signo) { kill(pid_, signo); }

std::optional<int> ArbordInstance::wait_exit(std::chrono::milliseconds timeout) {
  if (exit_status_) return exit_status_;
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    int status = 0;
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      // Drain what it wrote last.
      while (stderr_fd_ >= 0) read_available(100ms);
      return exit_status_;
    }
    read_available(20ms);
  }
  ADD_FAILURE() << "arbord did not exit within " << timeout.count() << " ms";
  return std::nullopt;
}

std::optional<pid_t> ArbordInstance::pid_of(const std::string& child_path) {
  const std::regex re(" " + child_path + ": started, pid ([0-9]+)");
  std::optional<pid_t> pid;
  std::smatch m;
  for (const auto& l : lines()) {
    if (std::regex_search(l, m, re)) pid = std::stoi(m[1]);
  }
  return pid;
}

bool ArbordInstance::no_survivors(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    while (waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    auto left = children_of_self();
    if (left.empty()) return true;
    if (Clock::now() >= deadline) {
      for (pid_t p : left) ADD_FAILURE() << "process " << p << " outlived arbord";
      return false;
    }
    usleep(10000);  // waiting for the kernel to reparent orphans, bounded by the deadline
  }
}

}  // namespace arbor::testing
