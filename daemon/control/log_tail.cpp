#include "daemon/control/log_tail.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <deque>

namespace arbor::control {

namespace {
// A line longer than this is sent in pieces rather than buffered without bound.
constexpr std::size_t kMaxLine = 64 * 1024;
constexpr std::size_t kChunk = 64 * 1024;
}  // namespace

std::string log_file_for(const std::string& log_dir, const std::string& path) {
  std::string name = path;
  std::replace(name.begin(), name.end(), '/', '.');
  return log_dir + "/" + name + ".log";
}

LogTail::LogTail(std::string file) : file_(std::move(file)) {}

LogTail::~LogTail() {
  if (fd_ >= 0) ::close(fd_);
}

bool LogTail::reopen() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = ::open(file_.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  offset_ = 0;
  partial_.clear();
  if (fd_ < 0) return false;
  struct stat st {};
  if (::fstat(fd_, &st) == 0) inode_ = st.st_ino;
  return true;
}

std::vector<std::string> LogTail::open_and_tail(std::size_t n) {
  std::vector<std::string> out;
  if (!reopen()) return out;
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return out;
  const auto size = static_cast<std::uint64_t>(st.st_size);
  // Read backwards in chunks until n newlines (plus the one ending the last line) are seen.
  std::string tail;
  std::uint64_t pos = size;
  while (pos > 0 && static_cast<std::size_t>(std::count(tail.begin(), tail.end(), '\n')) <= n) {
    const std::uint64_t take = std::min<std::uint64_t>(kChunk, pos);
    pos -= take;
    std::string chunk(take, '\0');
    const ssize_t got = ::pread(fd_, chunk.data(), take, static_cast<off_t>(pos));
    if (got < 0) return out;
    chunk.resize(static_cast<std::size_t>(got));
    tail.insert(0, chunk);
  }
  // Only complete lines; a partial last line is returned by poll() once it ends.
  const std::size_t last_nl = tail.rfind('\n');
  const std::uint64_t complete_end = last_nl == std::string::npos ? pos : pos + last_nl + 1;
  offset_ = complete_end;
  if (last_nl == std::string::npos) return out;
  tail.resize(last_nl + 1);
  // The first piece may be the end of a line that began before `pos`: skip it unless
  // the read reached the top of the file.
  std::size_t start = pos > 0 ? tail.find('\n') + 1 : 0;
  std::deque<std::string> lines;
  while (start < tail.size() && n > 0) {
    const std::size_t nl = tail.find('\n', start);
    lines.push_back(tail.substr(start, nl - start));
    if (lines.size() > n) lines.pop_front();
    start = nl + 1;
  }
  out.assign(lines.begin(), lines.end());
  return out;
}

void LogTail::read_available(std::vector<std::string>& out) {
  if (fd_ < 0) return;
  char buf[kChunk];
  for (;;) {
    const ssize_t got = ::pread(fd_, buf, sizeof buf, static_cast<off_t>(offset_));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return;
    offset_ += static_cast<std::uint64_t>(got);
    for (ssize_t i = 0; i < got; ++i) {
      if (buf[i] == '\n') {
        out.push_back(std::move(partial_));
        partial_.clear();
      } else {
        partial_.push_back(buf[i]);
        if (partial_.size() >= kMaxLine) {
          out.push_back(std::move(partial_));
          partial_.clear();
        }
      }
    }
  }
}

std::vector<std::string> LogTail::poll() {
  std::vector<std::string> out;
  read_available(out);  // the rest of the file we hold, renamed or not
  struct stat st {};
  const bool exists = ::stat(file_.c_str(), &st) == 0;
  if (!exists) return out;  // rotated away and not created again yet
  if (fd_ < 0 || st.st_ino != inode_) {
    // A new file under the name: rotation happened. Whatever was left of the old one
    // has been read above; a partial line there is finished as it stands.
    if (!partial_.empty()) out.push_back(std::move(partial_));
    reopen();
    read_available(out);
  } else if (static_cast<std::uint64_t>(st.st_size) < offset_) {
    // Truncated in place (logs.keep == 0).
    offset_ = 0;
    partial_.clear();
    read_available(out);
  }
  return out;
}

}  // namespace arbor::control
