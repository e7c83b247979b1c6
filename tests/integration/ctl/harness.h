// Harness for the arborctl integration tests: a real arbord in a short mkdtemp dir
// (its own process group, stopped with SIGTERM and then killed with every worker it
// ran), arborctl runs with captured output, and a raw protocol client. Every wait is
// bounded by a deadline; nothing sleeps a fixed time.
#pragma once

#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace arbor::ctl_test {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

struct Result {
  int status = -1;
  std::string out;
  std::string err;
};

// Runs argv to completion (bounded), capturing stdout and stderr.
inline Result run(std::vector<std::string> argv, int timeout_ms = 10000,
                  const std::vector<std::string>& prefix = {}) {
  argv.insert(argv.begin(), prefix.begin(), prefix.end());
  int out[2], err[2];
  EXPECT_EQ(::pipe2(out, O_CLOEXEC), 0);
  EXPECT_EQ(::pipe2(err, O_CLOEXEC), 0);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(out[1]);
  ::close(err[1]);
  Result r;
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open = 2;
  while (open > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0 || ::poll(fds, 2, static_cast<int>(left)) <= 0) {
      ::kill(pid, SIGKILL);
      ADD_FAILURE() << "timed out: " << argv.back();
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buf[4096];
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open;
      } else {
        (i == 0 ? r.out : r.err).append(buf, static_cast<std::size_t>(n));
      }
    }
  }
  for (auto& f : fds) {
    if (f.fd >= 0) ::close(f.fd);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

// A raw protocol client.
class Raw {
 public:
  explicit Raw(const std::string& path) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strcpy(addr.sun_path, path.c_str());
    connected = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~Raw() { ::close(fd_); }
  bool send(const std::string& data) {
    std::size_t done = 0;
    while (done < data.size()) {
      const ssize_t n = ::send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
      if (n <= 0) return false;
      done += static_cast<std::size_t>(n);
    }
    return true;
  }
  // The next line, or "" at EOF / after timeout_ms.
  std::string line(int timeout_ms = 5000) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
      if (auto nl = buf_.find('\n'); nl != std::string::npos) {
        std::string l = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        return l;
      }
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      pollfd p{fd_, POLLIN, 0};
      if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) return "";
      char b[65536];
      const ssize_t n = ::read(fd_, b, sizeof b);
      if (n <= 0) {
        eof = true;
        return "";
      }
      buf_.append(b, static_cast<std::size_t>(n));
    }
  }
  int fd() const { return fd_; }
  bool connected = false;
  bool eof = false;

 private:
  int fd_ = -1;
  std::string buf_;
};

class Arbord {
 public:
  explicit Arbord(const std::string& children) {
    char tmpl[] = "/tmp/actl-XXXXXX";
    dir = ::mkdtemp(tmpl);
    socket = dir + "/s/arbord.sock";
    config = dir + "/arbor.json";
    std::ofstream(config) << R"({"socket": ")" << socket << R"(", "log_dir": ")" << dir
                          << R"(/logs", "root": {"children": [)" << children << "]}}";
  }
  // Stops arbord the way docs/ARBORD.md says (SIGTERM: the tree in reverse order), and kills
  // whatever is left: arbord's group, then every worker seen (each leads its own group).
  ~Arbord() {
    if (pid_ > 0) {
      collect_pids(json::parse(ctl({"--json", "status"}, 3000).out, nullptr, false));
      ::kill(pid_, SIGTERM);
      if (wait_exit(pid_, 10000) < 0) {
        ::kill(-pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
      }
    }
    for (pid_t w : workers) ::kill(-w, SIGKILL);
    std::filesystem::remove_all(dir);
  }

  void collect_pids(const json& node) {
    if (!node.is_object()) return;
    if (node.contains("pid") && node["pid"].is_number_integer()) workers.push_back(node["pid"].get<pid_t>());
    for (const auto& c : node.value("children", json::array())) collect_pids(c);
  }

  pid_t start(const std::vector<std::string>& extra = {}) {
    err_file = dir + "/arbord." + std::to_string(++starts_) + ".err";
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::setpgid(0, 0);
      const int fd = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, 2);
      ::dup2(fd, 1);
      std::vector<std::string> argv{ARBORD_BIN, "--config", config};
      argv.insert(argv.end(), extra.begin(), extra.end());
      std::vector<char*> args;
      for (auto& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    if (pid_ <= 0) pid_ = pid;
    return pid;
  }

  // Polls until the socket answers `status`, to a deadline.
  bool ready(int timeout_ms = 10000) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    while (Clock::now() < deadline) {
      Raw raw(socket);
      if (raw.connected &&
          raw.send(R"({"id":1,"cmd":"status"})"
                   "\n") &&
          !raw.line(1000).empty()) {
        return true;
      }
      ::poll(nullptr, 0, 20);
    }
    return false;
  }

  Result ctl(std::vector<std::string> args, int timeout_ms = 10000) {
    args.insert(args.begin(), {ARBORCTL_BIN, "--socket", socket});
    return run(args, timeout_ms);
  }
  json status(const std::string& path = "/") { return json::parse(ctl({"--json", "status", path}).out); }
  std::string log() {
    std::ifstream in(err_file);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  // Waits for arbord to exit; returns its status or -1 after the deadline.
  int wait_exit(pid_t pid, int timeout_ms = 10000) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    while (Clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        if (pid == pid_) pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      ::poll(nullptr, 0, 20);
    }
    return -1;
  }

  std::string dir, socket, config, err_file;
  std::vector<pid_t> workers;

 private:
  pid_t pid_ = -1;
  int starts_ = 0;
};

}  // namespace arbor::ctl_test
