#include "daemon/host/group_record.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string_view>
#include <utility>

#include <spdlog/spdlog.h>

#include "daemon/host/cgroup_parse.h"
#include "daemon/host/cgroup_tree.h"
#include "daemon/host/scan_integer.h"

namespace arbor::host {
namespace {

bool write_all(Sys& sys, int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = sys.write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

std::string read_all(Sys& sys, int fd) {
  std::string text;
  char buf[4096];
  for (;;) {
    const ssize_t n = sys.pread(fd, buf, sizeof buf, static_cast<off_t>(text.size()));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return text;
    text.append(buf, static_cast<std::size_t>(n));
  }
}

// mkdir -p of the folder of `path` (it is the socket's, which the control server would
// create later with the same mode).
void make_parent_dirs(Sys& sys, const std::string& path) {
  for (std::size_t pos = path.find('/', 1); pos != std::string::npos; pos = path.find('/', pos + 1)) {
    sys.mkdir(path.substr(0, pos).c_str(), 0755);
  }
}

// Opens and locks `path`, making sure the locked file is the one the name points to (a
// live arbord's rewrite may have renamed a new file over it between open and flock).
// Returns -1 with errno set (EWOULDBLOCK: a live arbord holds it).
int open_locked(Sys& sys, const std::string& path) {
  for (int attempt = 0; attempt < 8; ++attempt) {
    const int flags = O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW;
    int fd = sys.open(path.c_str(), flags, 0600);
    if (fd < 0 && errno == ENOENT) {
      make_parent_dirs(sys, path);
      fd = sys.open(path.c_str(), flags, 0600);
    }
    if (fd < 0) return -1;
    if (sys.flock(fd, LOCK_EX | LOCK_NB) < 0) {
      const int err = errno;
      sys.close(fd);
      errno = err;
      return -1;
    }
    struct stat held {};
    struct stat named {};
    if (sys.fstat(fd, &held) == 0 && sys.stat(path.c_str(), &named) == 0 && held.st_ino == named.st_ino &&
        held.st_dev == named.st_dev) {
      return fd;
    }
    sys.close(fd);
  }
  errno = EAGAIN;
  return -1;
}

}  // namespace

// Called at every spawn: one read of the file (a second read, at the offset where the
// first ended, made the kernel format the whole file again to find its end), parsed in place.
unsigned long long GroupRecord::start_time(pid_t pid) {
  char name[32];
  std::snprintf(name, sizeof name, "/proc/%d/stat", static_cast<int>(pid));
  const int fd = ::open(name, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  // "pid (comm) state ppid ...": comm is at most 64 bytes, the 50 numbers after it < 1 KiB.
  char buf[2048];
  ssize_t n;
  do {
    n = ::read(fd, buf, sizeof buf - 1);
  } while (n < 0 && errno == EINTR);
  ::close(fd);
  if (n <= 0) return 0;
  buf[n] = '\0';
  const std::string_view stat(buf, static_cast<std::size_t>(n));
  // comm may hold spaces and ')': the fields are after the last ')'.
  const std::size_t paren = stat.rfind(')');
  if (paren == std::string_view::npos) return 0;
  std::size_t at = paren + 1;
  for (int field = 3; field <= 22; ++field) {  // field 3 (state) ... field 22 (starttime)
    while (at < stat.size() && stat[at] == ' ') ++at;
    if (at >= stat.size()) return 0;
    if (field == 22) return std::strtoull(buf + at, nullptr, 10);
    while (at < stat.size() && stat[at] != ' ') ++at;
  }
  return 0;
}

namespace {

// "+PGID STARTTIME" (a group added) and "-PGID" (one removed), read as sscanf's
// "+%lld %llu" and "-%lld" read them: whatever follows the numbers is ignored.
bool scan_added(std::string_view line, long long& pgid, unsigned long long& start) {
  if (!line.starts_with('+')) return false;
  line.remove_prefix(1);
  return scan_integer(line, pgid) && scan_integer(line, start);
}

bool scan_removed(std::string_view line, long long& pgid) {
  if (!line.starts_with('-')) return false;
  line.remove_prefix(1);
  return scan_integer(line, pgid);
}

// The record's lines replayed: the groups and cgroup instances still live at its end.
// A pgid is a pid: 2 .. 2^22 (PID_MAX_LIMIT). Anything else in a damaged file is skipped,
// never signalled: -pgid of a wrapped or negative number could name init or every process.
std::size_t replay(const std::string& text, const std::string& path,
                   std::map<pid_t, unsigned long long>& left, std::set<std::string>& left_cgroups) {
  constexpr long long kMaxPid = 1 << 22;
  const auto is_pgid = [](long long pgid) { return pgid > 1 && pgid <= kMaxPid; };
  std::istringstream in(text);
  std::string line;
  int number = 0, bad = 0;
  while (std::getline(in, line)) {
    ++number;
    long long pgid = 0;
    unsigned long long start = 0;
    if (line.starts_with("c /")) {
      left_cgroups.insert(line.substr(2));
    } else if (line.starts_with("x /")) {
      left_cgroups.erase(line.substr(2));
    } else if (scan_added(line, pgid, start) && is_pgid(pgid)) {
      left[static_cast<pid_t>(pgid)] = start;
    } else if (scan_removed(line, pgid) && is_pgid(pgid)) {
      left.erase(static_cast<pid_t>(pgid));
    } else if (!line.empty() && ++bad <= 3) {
      spdlog::warn("{}: line {} is no \"+PGID START\" or \"-PGID\" record; skipped", path, number);
    }
  }
  return static_cast<std::size_t>(number);
}

// True when this process's cgroup is inside `instance` (absolute).
bool holds_this_process(const std::string& instance) {
  std::ifstream mounts("/proc/self/mountinfo"), own_file("/proc/self/cgroup");
  std::stringstream m, o;
  m << mounts.rdbuf();
  o << own_file.rdbuf();
  const auto mount = cgroup2_mount(m.str());
  const auto own = own_cgroup(o.str());
  if (!mount || !own) return false;
  const std::string full = (*mount == "/" ? "" : *mount) + *own;
  return full.starts_with(instance + "/");
}

}  // namespace

std::unique_ptr<GroupRecord> GroupRecord::take_over(const std::string& path, Sys& sys) {
  const int fd = open_locked(sys, path);
  if (fd < 0) {
    if (errno == EWOULDBLOCK) {
      spdlog::warn("{} is locked by another arbord: its groups are left alone, and none are recorded", path);
    } else {
      spdlog::warn("cannot use {}: {}; workers left by a SIGKILLed arbord will not be cleaned up", path,
                   std::strerror(errno));
    }
    return nullptr;
  }
  std::unique_ptr<GroupRecord> record(new GroupRecord(path, fd, sys));

  // Replay the changes: what is left was live when the previous arbord died.
  std::map<pid_t, unsigned long long> left;
  std::set<std::string> left_cgroups;
  replay(read_all(sys, fd), path, left, left_cgroups);
  for (const auto& [pgid, start] : left) {
    const unsigned long long now = start_time(pgid);
    if (now != 0 && now != start) continue;  // the pid was reused: nothing of ours is left (see header)
    if (sys.kill(-pgid, SIGKILL) == 0) {
      spdlog::warn(
          "killed leftover process group {} of a previous arbord (it was killed without stopping its "
          "workers)",
          pgid);
    }
  }
  for (const auto& recorded : left_cgroups) {
    // A reexec's fallback: this very process is still in the old instance ("daemon"):
    // only its workers' part goes, never arbord itself.
    const int killed = holds_this_process(recorded) ? CgroupTree::clean_up_tree(recorded, sys)
                                                    : CgroupTree::clean_up(recorded, sys);
    if (killed > 0) {
      spdlog::warn(
          "killed {} leftover processes in {} of a previous arbord (it was killed without stopping "
          "its workers)",
          killed, recorded);
    }
  }
  if (sys.ftruncate(fd, 0) < 0) spdlog::warn("cannot empty {}: {}", path, std::strerror(errno));
  return record;
}

GroupRecord::~GroupRecord() {
  // A clean exit has stopped every group: nothing to clean up next time.
  if (live_.empty() && cgroups_.empty()) sys_.unlink(path_.c_str());
  if (fd_ >= 0) sys_.close(fd_);
}

std::unique_ptr<GroupRecord> GroupRecord::adopt(const std::string& path, int fd, Sys& sys) {
  std::unique_ptr<GroupRecord> record(new GroupRecord(path, fd, sys));
  // The earlier program's file is its live set as it was: replayed in one read, its groups'
  // start times and its cgroup instance with them (no /proc read per worker).
  std::map<pid_t, unsigned long long> live;
  record->lines_ = replay(read_all(sys, fd), path, live, record->cgroups_);
  record->live_.insert(live.begin(), live.end());
  return record;
}

void GroupRecord::added(pid_t pgid) {
  const unsigned long long start = start_time(pgid);
  live_[pgid] = start;
  append("+" + std::to_string(pgid) + " " + std::to_string(start) + "\n");
}

void GroupRecord::removed(pid_t pgid) {
  if (live_.erase(pgid) == 0) return;
  append("-" + std::to_string(pgid) + "\n");
}

void GroupRecord::cgroup_added(const std::string& instance) {
  cgroups_.insert(instance);
  append("c " + instance + "\n");
}

void GroupRecord::cgroup_removed(const std::string& instance) {
  if (cgroups_.erase(instance) == 0) return;
  append("x " + instance + "\n");
}

void GroupRecord::append(const std::string& line) {
  if (lines_ >= 2 * live_.size() + 64) compact();
  if (write_all(sys_, fd_, line)) {
    ++lines_;
    write_failed_ = false;
  } else if (!write_failed_) {
    write_failed_ = true;
    spdlog::warn("cannot write {}: {}", path_, std::strerror(errno));
  }
}

void GroupRecord::compact() {
  // Write the live set to a new file, locked before it takes the name.
  const std::string tmp = path_ + ".tmp";
  const int flags = O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC | O_NOFOLLOW;
  const int fd = sys_.open(tmp.c_str(), flags, 0600);
  if (fd < 0) return;  // e.g. EMFILE: keep appending to the old file
  std::string text;
  for (const auto& [pgid, start] : live_)
    text += "+" + std::to_string(pgid) + " " + std::to_string(start) + "\n";
  for (const auto& instance : cgroups_) text += "c " + instance + "\n";
  if (sys_.flock(fd, LOCK_EX | LOCK_NB) < 0 || !write_all(sys_, fd, text) ||
      sys_.rename(tmp.c_str(), path_.c_str()) < 0) {
    sys_.close(fd);
    sys_.unlink(tmp.c_str());
    return;
  }
  sys_.close(fd_);
  fd_ = fd;
  lines_ = live_.size() + cgroups_.size();
}

}  // namespace arbor::host
