#include "daemon/host/log_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <utility>

#include "daemon/host/spawn.h"

namespace arbor::host {
namespace {

constexpr std::uint64_t kReportAfterMs = 1000;

// mkdir -p; returns 0 or an errno.
int make_dirs(Sys& sys, const std::string& dir) {
  for (std::size_t pos = 1; pos <= dir.size(); ++pos) {
    if (pos != dir.size() && dir[pos] != '/') continue;
    const std::string prefix = dir.substr(0, pos);
    if (sys.mkdir(prefix.c_str(), 0755) < 0 && errno != EEXIST) return errno;
  }
  struct stat st {};
  if (sys.stat(dir.c_str(), &st) < 0) return errno;
  return S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
}

}  // namespace

void OpenLogs::opened(LogFile& file) {
  lru_.push_front(&file);
  file.lru_pos_ = lru_.begin();
  while (lru_.size() > max_) lru_.back()->close_fd();
}

void OpenLogs::used(LogFile& file) { lru_.splice(lru_.begin(), lru_, file.lru_pos_); }

void OpenLogs::closed(LogFile& file) { lru_.erase(file.lru_pos_); }

std::shared_ptr<LogFile> LogFile::open(uv_loop_t* loop, OpenLogs& open_logs, const std::string& dir,
                                       const std::string& file_name, const config::LogsSpec& logs,
                                       std::function<void(std::uint64_t)> on_dropped, std::string& error,
                                       Sys& sys) {
  // The path in the message: the operator must see which directory is missing or read-only.
  if (int err = make_dirs(sys, dir); err != 0) {
    error = stage_error(("open log " + dir).c_str(), err);
    return nullptr;
  }
  std::shared_ptr<LogFile> file =
      open_later(loop, open_logs, dir, file_name, logs, std::move(on_dropped), sys);
  if (!file->reopen()) {
    error = stage_error(("open log " + file->path_).c_str(), errno);
    return nullptr;
  }
  return file;
}

std::shared_ptr<LogFile> LogFile::open_later(uv_loop_t* loop, OpenLogs& open_logs, const std::string& dir,
                                             const std::string& file_name, const config::LogsSpec& logs,
                                             std::function<void(std::uint64_t)> on_dropped, Sys& sys) {
  std::shared_ptr<LogFile> file(new LogFile());
  file->loop_ = loop;
  file->sys_ = &sys;
  file->open_logs_ = &open_logs;
  file->path_ = dir + "/" + file_name;
  file->logs_ = logs;
  file->on_dropped_ = std::move(on_dropped);
  return file;  // fd_ < 0: write_lines() opens it, as after OpenLogs closed it
}

LogFile::~LogFile() {
  report_dropped();
  close_fd();
}

void LogFile::close_fd() {
  if (fd_ < 0) return;
  sys_->close(fd_);
  fd_ = -1;
  open_logs_->closed(*this);
}

bool LogFile::reopen() {
  close_fd();
  size_ = 0;
  fd_ = sys_->open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0644);
  if (fd_ < 0) return false;
  open_logs_->opened(*this);  // may close another file, never this one
  struct stat st {};
  if (sys_->fstat(fd_, &st) == 0) size_ = static_cast<std::uint64_t>(st.st_size);
  return true;
}

void LogFile::rotate() {
  if (logs_.keep <= 0) {
    if (fd_ >= 0 && sys_->ftruncate(fd_, 0) == 0) size_ = 0;
    if (size_ != 0) reopen();
    size_ = 0;  // even if that failed, so that the caller makes progress
    return;
  }
  for (int i = logs_.keep; i >= 2; --i) {
    sys_->rename(rotated_path(i - 1).c_str(), rotated_path(i).c_str());
  }
  sys_->rename(path_.c_str(), rotated_path(1).c_str());
  reopen();
  size_ = 0;
}

void LogFile::write_lines(std::string_view lines) {
  if (fd_ < 0) reopen();  // closed by OpenLogs: size_ is read again from the file
  const std::uint64_t max = logs_.max_bytes;
  if (max == 0 || size_ + lines.size() <= max) return write_chunk(lines);  // no rotation due
  std::size_t pos = 0;
  while (pos < lines.size()) {
    std::size_t end = pos;
    while (end < lines.size()) {
      std::size_t nl = lines.find('\n', end);
      const std::size_t line_end = nl == std::string_view::npos ? lines.size() : nl + 1;
      const bool fits = size_ + (line_end - pos) <= max;  // max > 0: 0 took the fast path
      if (!fits && (size_ > 0 || end > pos)) break;
      end = line_end;
    }
    if (end == pos) {  // the next line does not fit in a non-empty file
      rotate();
      continue;
    }
    write_chunk(lines.substr(pos, end - pos));
    pos = end;
  }
}

void LogFile::write_chunk(std::string_view chunk) {
  if (fd_ < 0 && !reopen()) {
    count_dropped(chunk.size());
    return;
  }
  open_logs_->used(*this);
  const std::string_view whole = chunk;
  while (!chunk.empty()) {
    ssize_t n = sys_->write(fd_, chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {  // ENOSPC, EIO, EFBIG...: never block the worker, drop and count
      drop_partial_line(whole.substr(0, whole.size() - chunk.size()));
      count_dropped(chunk.size());
      return;
    }
    size_ += static_cast<std::uint64_t>(n);
    chunk.remove_prefix(static_cast<std::size_t>(n));
  }
  report_dropped();
}

// A write that stopped inside a line (the disk filled up mid-line) would leave half a
// line for the next one to be glued to: cut the file back to the last whole line and
// count the half as dropped. Truncating frees space, so it works on a full disk too; if
// it fails anyway, the next write starts on a line of its own instead.
void LogFile::drop_partial_line(std::string_view written) {
  const std::size_t nl = written.rfind('\n');
  const std::size_t partial = nl == std::string_view::npos ? written.size() : written.size() - nl - 1;
  if (partial == 0) return;
  struct stat st {};  // the file's real end (someone may have truncated it since size_ was read)
  const bool known = sys_->fstat(fd_, &st) == 0 && st.st_size >= static_cast<off_t>(partial);
  if (known && sys_->ftruncate(fd_, st.st_size - static_cast<off_t>(partial)) == 0) {
    size_ = static_cast<std::uint64_t>(st.st_size) - partial;
    count_dropped(partial);
  } else if (sys_->write(fd_, "\n", 1) == 1) {
    size_ += 1;
  }
}

void LogFile::count_dropped(std::uint64_t bytes) {
  const std::uint64_t now = uv_now(loop_);
  if (dropped_ == 0) episode_start_ms_ = now;
  dropped_ += bytes;
  if (now - episode_start_ms_ >= kReportAfterMs) report_dropped();
}

void LogFile::report_dropped() {
  if (dropped_ == 0) return;
  const std::uint64_t bytes = std::exchange(dropped_, 0);
  if (on_dropped_) on_dropped_(bytes);
}

}  // namespace arbor::host
