// arbor_test_child: a scriptable worker for tests that need real processes.
//
// Settings (read first, wherever they appear):
//   --exit N             exit code when done (default 0)
//   --after MS           live MS ms from start, then exit (default: until signalled)
//   --line-bytes B       size of each --lines line, newline excluded (default 80)
//   --record FILE        append "start <pid> <monotonic ns>" now and "exit <pid> <code>"
//                        (or "exit <pid> signal <n>" on SIGTERM/SIGINT) at the end
// Actions (run in command-line order):
//   --print TEXT / --stderr TEXT   a line to stdout / stderr
//   --partial TEXT                 TEXT without a newline, to stdout
//   --lines N                      N lines of --line-bytes bytes to stdout, fast
//   --ready-fd N                   write "\n" to fd N, then close it
//   --notify                       send READY=1 to $NOTIFY_SOCKET ('@' = abstract)
//   --notify-after MS              sleep MS, then --notify
//   --notify-text TEXT             send TEXT (verbatim) to $NOTIFY_SOCKET
//   --sleep MS / --sleep-before-ready MS   sleep MS
//   --ignore-term                  SIGTERM ignored from here on
//   --fork N                       N grandchildren in our group, ignoring SIGTERM, sleeping forever
//   --kill-self SIG                raise SIG (by number)
//   --list-fds                     "fds: 0 1 2 ..." (open descriptors)
//   --print-ids                    "uid=U gid=G groups=A,B" (groups empty: "groups=")
//   --print-umask                  "umask=0022"
//   --print-env NAME               "NAME=value" or "NAME unset"
//   --print-sigs                   "sigblk=HEX sigign=HEX" from /proc/self/status
//   --print-pgid                   "pid=P pgid=G sid=S"
//   --spawn-setsid-children N      N children, each in its own session (setsid) and dying with
//                                  us (PR_SET_PDEATHSIG), sleeping forever; prints
//                                  "setsid children: P1 P2 ..." (as PostgreSQL's backends)
//   --daemonize                    the classic double fork: a child calls setsid() and forks the
//                                  daemon, which prints "daemon pid=P pgid=G sid=S", points
//                                  0-2 at /dev/null and sleeps forever (SIGTERM/SIGHUP ignored);
//                                  we continue once the middle child has exited (as nginx's
//                                  launcher without `daemon off;`)
// Exits 100 on a usage error. No libuv, no threads: just syscalls and stdio.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace {

int g_record_fd = -1;  // a signal handler writes to it

long long monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<long long>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

void write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    ssize_t n = write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

void write_str(int fd, const std::string& s) { write_all(fd, s.data(), s.size()); }

void sleep_ms(long long ms) {
  if (ms <= 0) return;
  timespec ts{static_cast<time_t>(ms / 1000), static_cast<long>((ms % 1000) * 1000000)};
  while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
  }
}

// Async-signal-safe "exit <pid> signal <n>\n".
void on_fatal_signal(int sig) {
  if (g_record_fd >= 0) {
    char buf[64];
    char digits[24];
    std::size_t len = 0;
    auto put = [&](const char* s) {
      while (*s != '\0' && len < sizeof buf) buf[len++] = *s++;
    };
    auto put_num = [&](long v) {
      int d = 0;
      do {
        digits[d++] = static_cast<char>('0' + v % 10);
        v /= 10;
      } while (v > 0);
      while (d > 0 && len < sizeof buf) buf[len++] = digits[--d];
    };
    put("exit ");
    put_num(getpid());
    put(" signal ");
    put_num(sig);
    put("\n");
    ssize_t ignored = write(g_record_fd, buf, len);
    (void)ignored;
  }
  signal(sig, SIG_DFL);
  raise(sig);
}

[[noreturn]] void finish(int code) {
  if (g_record_fd >= 0)
    write_str(g_record_fd, "exit " + std::to_string(getpid()) + " " + std::to_string(code) + "\n");
  _exit(code);
}

[[noreturn]] void usage(const std::string& why) {
  write_str(2, "arbor_test_child: " + why + "\n");
  _exit(100);
}

long long number(const std::string& flag, const char* value) {
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(value, &end, 10);
  if (errno != 0 || end == value || *end != '\0') usage(flag + ": not a number: " + value);
  return v;
}

void notify(const std::string& message) {
  const char* target = std::getenv("NOTIFY_SOCKET");
  if (target == nullptr || target[0] == '\0') usage("--notify: NOTIFY_SOCKET is not set");
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::size_t len = std::strlen(target);
  if (len >= sizeof addr.sun_path) usage("--notify: NOTIFY_SOCKET too long");
  std::memcpy(addr.sun_path, target, len);
  if (target[0] == '@') addr.sun_path[0] = '\0';
  const auto addr_len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + len);
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0 ||
      sendto(fd, message.data(), message.size(), 0, reinterpret_cast<sockaddr*>(&addr), addr_len) < 0) {
    write_str(2, std::string("arbor_test_child: --notify: ") + std::strerror(errno) + "\n");
  }
  if (fd >= 0) close(fd);
}

void list_fds() {
  std::vector<int> fds;
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) usage("--list-fds: cannot open /proc/self/fd");
  const int own = dirfd(dir);
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    const int fd = std::atoi(entry->d_name);
    if (fd != own) fds.push_back(fd);
  }
  closedir(dir);
  std::sort(fds.begin(), fds.end());
  std::string line = "fds:";
  for (int fd : fds) line += " " + std::to_string(fd);
  write_str(1, line + "\n");
}

void print_ids() {
  std::string line = "uid=" + std::to_string(getuid()) + " gid=" + std::to_string(getgid()) + " groups=";
  gid_t groups[256];
  const int n = getgroups(256, groups);
  for (int i = 0; i < n; ++i) line += (i > 0 ? "," : "") + std::to_string(groups[i]);
  write_str(1, line + "\n");
}

void print_sigs() {
  std::ifstream status("/proc/self/status");
  std::string line;
  std::string blk;
  std::string ign;
  while (std::getline(status, line)) {
    if (line.rfind("SigBlk:", 0) == 0) blk = line.substr(line.find_first_not_of(" \t", 7));
    if (line.rfind("SigIgn:", 0) == 0) ign = line.substr(line.find_first_not_of(" \t", 7));
  }
  write_str(1, "sigblk=" + blk + " sigign=" + ign + "\n");
}

void write_lines(long long count, long long bytes) {
  std::string chunk;
  for (long long i = 0; i < count; ++i) {
    std::string line = "L" + std::to_string(i) + ":";
    if (static_cast<long long>(line.size()) < bytes)
      line.append(static_cast<std::size_t>(bytes) - line.size(), 'x');
    chunk += line;
    chunk += '\n';
    if (chunk.size() >= 65536) {
      write_str(1, chunk);
      chunk.clear();
    }
  }
  write_str(1, chunk);
}

[[noreturn]] void grandchild_forever() {
  signal(SIGTERM, SIG_IGN);
  for (;;) pause();
}

void spawn_setsid_children(long long count) {
  const pid_t parent = getpid();
  std::string line = "setsid children:";
  for (long long k = 0; k < count; ++k) {
    const pid_t pid = fork();
    if (pid < 0) usage("--spawn-setsid-children: fork failed");
    if (pid == 0) {
      setsid();
      prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
      if (getppid() != parent) _exit(0);  // the parent died before the setting took
      for (;;) pause();
    }
    line += " " + std::to_string(pid);
  }
  write_str(1, line + "\n");
}

void daemonize() {
  const pid_t middle = fork();
  if (middle < 0) usage("--daemonize: fork failed");
  if (middle == 0) {
    setsid();
    int started[2];
    if (pipe(started) < 0) _exit(1);
    const pid_t daemon = fork();
    if (daemon != 0) {  // the middle child exits once the daemon has said who it is
      close(started[1]);
      char byte;
      while (read(started[0], &byte, 1) < 0 && errno == EINTR) {
      }
      _exit(daemon < 0 ? 1 : 0);
    }
    signal(SIGTERM, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    write_str(1, "daemon pid=" + std::to_string(getpid()) + " pgid=" + std::to_string(getpgrp()) +
                     " sid=" + std::to_string(getsid(0)) + "\n");
    const int null = open("/dev/null", O_RDWR);
    for (int fd = 0; fd <= 2; ++fd) dup2(null, fd);
    close(started[0]);
    close(started[1]);
    for (;;) pause();
  }
  while (waitpid(middle, nullptr, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace

int main(int argc, char** argv) {
  const long long start_ns = monotonic_ns();
  std::vector<std::string> args(argv + 1, argv + argc);
  auto value = [&](std::size_t& i) -> const char* {
    if (i + 1 >= args.size()) usage(args[i] + ": missing value");
    return args[++i].c_str();
  };

  int exit_code = 0;
  long long after_ms = -1;
  long long line_bytes = 80;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--exit") {
      exit_code = static_cast<int>(number(a, value(i)));
    } else if (a == "--after") {
      after_ms = number(a, value(i));
    } else if (a == "--line-bytes") {
      line_bytes = number(a, value(i));
    } else if (a == "--record") {
      g_record_fd = open(value(i), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (g_record_fd < 0) usage("--record: cannot open file");
    } else if (a == "--print" || a == "--stderr" || a == "--partial" || a == "--lines" || a == "--ready-fd" ||
               a == "--notify-after" || a == "--sleep" || a == "--sleep-before-ready" || a == "--fork" ||
               a == "--kill-self" || a == "--print-env" || a == "--notify-text" ||
               a == "--spawn-setsid-children") {
      value(i);
    } else if (a != "--notify" && a != "--ignore-term" && a != "--list-fds" && a != "--print-ids" &&
               a != "--print-umask" && a != "--print-sigs" && a != "--print-pgid" && a != "--daemonize") {
      usage("unknown flag " + a);
    }
  }
  if (g_record_fd >= 0) {
    write_str(g_record_fd, "start " + std::to_string(getpid()) + " " + std::to_string(start_ns) + "\n");
    signal(SIGTERM, on_fatal_signal);
    signal(SIGINT, on_fatal_signal);
  }

  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--exit" || a == "--after" || a == "--line-bytes" || a == "--record") {
      ++i;
    } else if (a == "--print") {
      write_str(1, std::string(value(i)) + "\n");
    } else if (a == "--stderr") {
      write_str(2, std::string(value(i)) + "\n");
    } else if (a == "--partial") {
      write_str(1, value(i));
    } else if (a == "--lines") {
      write_lines(number(a, value(i)), line_bytes);
    } else if (a == "--ready-fd") {
      const int fd = static_cast<int>(number(a, value(i)));
      write_all(fd, "\n", 1);
      close(fd);
    } else if (a == "--notify") {
      notify("READY=1");
    } else if (a == "--notify-text") {
      notify(value(i));
    } else if (a == "--notify-after") {
      sleep_ms(number(a, value(i)));
      notify("READY=1");
    } else if (a == "--sleep" || a == "--sleep-before-ready") {
      sleep_ms(number(a, value(i)));
    } else if (a == "--ignore-term") {
      signal(SIGTERM, SIG_IGN);
    } else if (a == "--fork") {
      const long long n = number(a, value(i));
      for (long long k = 0; k < n; ++k) {
        pid_t pid = fork();
        if (pid == 0) grandchild_forever();
        if (pid < 0) usage("--fork: fork failed");
      }
    } else if (a == "--spawn-setsid-children") {
      spawn_setsid_children(number(a, value(i)));
    } else if (a == "--daemonize") {
      daemonize();
    } else if (a == "--kill-self") {
      raise(static_cast<int>(number(a, value(i))));
    } else if (a == "--list-fds") {
      list_fds();
    } else if (a == "--print-ids") {
      print_ids();
    } else if (a == "--print-umask") {
      const mode_t mask = umask(0);
      umask(mask);
      char buf[32];
      std::snprintf(buf, sizeof buf, "umask=%04o\n", static_cast<unsigned>(mask));
      write_str(1, buf);
    } else if (a == "--print-env") {
      const char* name = value(i);
      const char* v = std::getenv(name);
      write_str(1, v != nullptr ? std::string(name) + "=" + v + "\n" : std::string(name) + " unset\n");
    } else if (a == "--print-sigs") {
      print_sigs();
    } else if (a == "--print-pgid") {
      write_str(1, "pid=" + std::to_string(getpid()) + " pgid=" + std::to_string(getpgrp()) +
                       " sid=" + std::to_string(getsid(0)) + "\n");
    }
  }

  if (after_ms < 0) {
    for (;;) pause();
  }
  sleep_ms(after_ms - (monotonic_ns() - start_ns) / 1000000);
  finish(exit_code);
}
