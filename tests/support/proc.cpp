#include "tests/support/proc.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <algorithm>
#include <thread>

namespace arbor::testing {
namespace {
using Clock = std::chrono::steady_clock;

// /proc/PID/FILE, or "" once the process is gone. A process reaped between the open and
// the read makes read() fail with ESRCH; an istreambuf_iterator over an ifstream throws
// then (libstdc++'s filebuf::underflow), which failed tests that walk every process of the
// machine while arbord reaps some.
std::string read_proc(pid_t pid, const char* file) {
  const std::string path = "/proc/" + std::to_string(pid) + "/" + file;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      text.clear();
      break;
    }
    text.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return text;
}

// Fields after "(comm)" of /proc/PID/stat: [0] is field 3 (state).
std::vector<std::string> stat_fields(pid_t pid) {
  const std::string text = read_proc(pid, "stat");
  std::vector<std::string> out;
  const auto paren = text.rfind(')');
  if (paren == std::string::npos) return out;
  std::istringstream fields(text.substr(paren + 1));
  for (std::string f; fields >> f;) out.push_back(f);
  return out;
}
}  // namespace

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

std::chrono::milliseconds time_left(std::chrono::steady_clock::time_point deadline) {
  const auto left = deadline - std::chrono::steady_clock::now();
  return std::max(std::chrono::milliseconds(0), std::chrono::duration_cast<std::chrono::milliseconds>(left));
}

bool poll_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (done()) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
}

namespace {
std::string slurp_proc(pid_t pid, const char* file) {
  std::string text = read_proc(pid, file);
  std::replace(text.begin(), text.end(), '\0', ' ');
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}
}  // namespace

namespace {
// Each descriptor and what it is; for an epoll set, the descriptors it watches (fdinfo's
// "tfd:" lines), for an inotify one its watches: a descriptor a loop no longer watches is
// missing there.
std::string open_files(pid_t pid) {
  std::string out;
  const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  DIR* fds = opendir(dir.c_str());
  if (fds == nullptr) return out;
  std::vector<int> numbers;
  while (dirent* e = readdir(fds)) {
    if (e->d_name[0] != '.') numbers.push_back(std::atoi(e->d_name));
  }
  closedir(fds);
  std::sort(numbers.begin(), numbers.end());
  for (const int fd : numbers) {
    char target[512];
    const ssize_t n = readlink((dir + "/" + std::to_string(fd)).c_str(), target, sizeof target - 1);
    const std::string kind(target, n > 0 ? static_cast<std::size_t>(n) : 0);
    out += "  fd " + std::to_string(fd) + " -> " + kind;
    if (kind.find("eventpoll") != std::string::npos || kind.find("inotify") != std::string::npos) {
      std::istringstream info(slurp_proc(pid, ("fdinfo/" + std::to_string(fd)).c_str()));
      for (std::string line; std::getline(info, line);) {
        if (line.rfind("tfd:", 0) == 0 || line.rfind("inotify", 0) == 0) out += "\n      " + line;
      }
    }
    out += "\n";
  }
  return out;
}
}  // namespace

std::string process_snapshot(pid_t root) {
  std::vector<pid_t> tree{root};
  DIR* proc = opendir("/proc");
  std::vector<std::pair<pid_t, pid_t>> parent_of;  // (pid, ppid)
  if (proc != nullptr) {
    while (dirent* e = readdir(proc)) {
      const pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
      const auto f = pid > 0 ? stat_fields(pid) : std::vector<std::string>{};
      if (f.size() > 1) parent_of.emplace_back(pid, static_cast<pid_t>(std::atoi(f[1].c_str())));
    }
    closedir(proc);
  }
  for (std::size_t i = 0; i < tree.size(); ++i) {  // breadth first: the tree below root
    for (const auto& [pid, ppid] : parent_of) {
      if (ppid == tree[i]) tree.push_back(pid);
    }
  }
  std::string out;
  for (const pid_t pid : tree) {
    const char state = proc_state(pid);
    if (state == '\0') continue;
    out += "pid " + std::to_string(pid) + " state " + state + " [" + slurp_proc(pid, "cmdline") + "] wchan " +
           slurp_proc(pid, "wchan") + " syscall " + slurp_proc(pid, "syscall") + "\n";
    if (pid == root) {
      const std::string stack = slurp_proc(pid, "stack");
      if (!stack.empty()) out += stack + "\n";
      out += open_files(pid);
    }
  }
  return out;
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

// The children of `parent` whose state is `state` ('Z': zombies), from /proc.
std::vector<pid_t> children_of(pid_t parent, char state) {
  std::vector<pid_t> found;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return found;
  while (dirent* entry = readdir(proc)) {
    const pid_t pid = static_cast<pid_t>(std::atoi(entry->d_name));
    if (pid <= 0) continue;
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat;
    std::getline(in, stat);
    const auto paren = stat.rfind(')');
    if (paren == std::string::npos) continue;
    std::istringstream fields(stat.substr(paren + 1));
    char st = 0;
    pid_t ppid = 0;
    fields >> st >> ppid;
    if (ppid == parent && st == state) found.push_back(pid);
  }
  closedir(proc);
  return found;
}

}  // namespace arbor::testing
