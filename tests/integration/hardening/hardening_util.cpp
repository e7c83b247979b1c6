#include "tests/integration/hardening/hardening_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace arbor::testing {
namespace {
using Clock = std::chrono::steady_clock;

// Fields after "(comm)" of /proc/PID/stat: [0] is field 3 (state).
std::vector<std::string> stat_fields(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> out;
  const auto paren = text.rfind(')');
  if (paren == std::string::npos) return out;
  std::istringstream fields(text.substr(paren + 1));
  for (std::string f; fields >> f;) out.push_back(f);
  return out;
}
}  // namespace

Control::~Control() { close(); }

void Control::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buffer_.clear();
}

bool Control::connect(const std::string& socket, std::chrono::milliseconds timeout) {
  close();
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", socket.c_str());
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return true;
    close();
    if (Clock::now() >= deadline) return false;
    // The socket appears when arbord has started listening; nothing tells us when.
    std::this_thread::sleep_for(20ms);
  }
}

std::optional<nlohmann::json> Control::call(const std::string& cmd, nlohmann::json args,
                                            std::chrono::milliseconds timeout) {
  if (fd_ < 0) return std::nullopt;
  const int id = next_id_++;
  const std::string line = nlohmann::json{{"id", id}, {"cmd", cmd}, {"args", std::move(args)}}.dump() + "\n";
  if (::send(fd_, line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size())) return std::nullopt;
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    for (std::size_t nl; (nl = buffer_.find('\n')) != std::string::npos;) {
      auto reply = nlohmann::json::parse(buffer_.substr(0, nl), nullptr, false);
      buffer_.erase(0, nl + 1);
      if (reply.is_object() && reply.value("id", -1) == id) return reply;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return std::nullopt;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    char buf[65536];
    const ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n <= 0) return std::nullopt;
    buffer_.append(buf, static_cast<std::size_t>(n));
  }
}

const nlohmann::json* find_node(const nlohmann::json& status, const std::string& path) {
  if (status.value("path", "") == path) return &status;
  if (status.contains("children")) {
    for (const auto& c : status["children"]) {
      if (const auto* found = find_node(c, path)) return found;
    }
  }
  return nullptr;
}

std::size_t fd_count(pid_t pid) {
  std::size_t n = 0;
  DIR* dir = opendir(("/proc/" + std::to_string(pid) + "/fd").c_str());
  if (dir == nullptr) return 0;
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(dir);
  return n;
}

long rss_kb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

char proc_state(pid_t pid) {
  const auto f = stat_fields(pid);
  return f.empty() ? '\0' : f[0][0];
}

std::vector<pid_t> group_members(pid_t pgid) {
  std::vector<pid_t> out;
  DIR* dir = opendir("/proc");
  if (dir == nullptr) return out;
  while (dirent* e = readdir(dir)) {
    const pid_t pid = std::atoi(e->d_name);
    if (pid <= 0) continue;
    const auto f = stat_fields(pid);
    if (f.size() > 2 && std::atoi(f[2].c_str()) == pgid) out.push_back(pid);  // field 5: pgrp
  }
  closedir(dir);
  return out;
}

bool dead(pid_t pid) {
  const char s = proc_state(pid);
  return s == '\0' || s == 'Z' || s == 'X';
}

bool poll_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (done()) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
}

int run_command(const std::string& command, std::string& output) {
  output.clear();
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return -1;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) output.append(buf, n);
  const int status = ::pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace arbor::testing
