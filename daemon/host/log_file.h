// One worker's log file: <log_dir>/<path with '/' as '.'>.log, with size-based rotation and
// accounting of lines dropped when the disk refuses them.
//
// Shared by stdout and stderr of a worker, and by successive runs of the same path while
// an old run's pipe is still open, so there is one open file per path.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <string_view>

#include "config/tree_spec.h"
#include "daemon/host/sys.h"

namespace arbor::host {

class LogFile;

// Bounds how many log files are open at once, closing the least recently written when a
// file past the bound opens; a closed LogFile reopens at its next write. So captured
// output costs arbord one descriptor per worker (its pipe) plus at most `max` files,
// however many workers there are.
class OpenLogs {
 public:
  explicit OpenLogs(std::size_t max) : max_(max == 0 ? 1 : max) {}
  OpenLogs(const OpenLogs&) = delete;
  OpenLogs& operator=(const OpenLogs&) = delete;
  std::size_t open_count() const { return lru_.size(); }

 private:
  friend class LogFile;
  void opened(LogFile& file);
  void used(LogFile& file);
  void closed(LogFile& file);

  std::size_t max_;
  std::list<LogFile*> lru_;  // most recently written first
};

class LogFile {
 public:
  // Creates `dir` (mkdir -p) and opens `dir/file_name` for appending. `on_dropped` is
  // told the bytes lost in one failing episode. Returns nullptr and sets `error`
  // ("open log: Permission denied") on failure. `sys` outlives the file.
  static std::shared_ptr<LogFile> open(uv_loop_t* loop, OpenLogs& open_logs, const std::string& dir,
                                       const std::string& file_name, const config::LogsSpec& logs,
                                       std::function<void(std::uint64_t bytes)> on_dropped,
                                       std::string& error, Sys& sys = Sys::real());
  // reexec: the file of a worker adopted, opened at its first write only (5,000 workers
  // adopted open no file; the directory was made for the earlier program).
  static std::shared_ptr<LogFile> open_later(uv_loop_t* loop, OpenLogs& open_logs, const std::string& dir,
                                             const std::string& file_name, const config::LogsSpec& logs,
                                             std::function<void(std::uint64_t bytes)> on_dropped,
                                             Sys& sys = Sys::real());
  ~LogFile();
  LogFile(const LogFile&) = delete;
  LogFile& operator=(const LogFile&) = delete;

  // Appends whole lines (`lines` ends with '\n'). Rotates between lines: before a line
  // that would take the file past max_bytes, name.log becomes name.log.1, .1 becomes .2,
  // ... up to .keep (the oldest is dropped); keep == 0 truncates instead. A line longer
  // than max_bytes still goes whole into a fresh file. max_bytes == 0 never rotates.
  // A write that fails drops the rest of the chunk and counts it; the count is reported
  // on the next successful write, after a second of failures, or when the file closes.
  void write_lines(std::string_view lines);

  const std::string& path() const { return path_; }

 private:
  friend class OpenLogs;
  LogFile() = default;
  bool reopen();
  void close_fd();
  std::string rotated_path(int generation) const { return path_ + "." + std::to_string(generation); }
  void rotate();
  void write_chunk(std::string_view chunk);
  void drop_partial_line(std::string_view written);
  void count_dropped(std::uint64_t bytes);
  void report_dropped();

  uv_loop_t* loop_ = nullptr;
  Sys* sys_ = nullptr;
  OpenLogs* open_logs_ = nullptr;
  std::list<LogFile*>::iterator lru_pos_;  // valid while fd_ >= 0
  std::string path_;
  config::LogsSpec logs_;
  std::function<void(std::uint64_t)> on_dropped_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
  std::uint64_t dropped_ = 0;
  std::uint64_t episode_start_ms_ = 0;
};

}  // namespace arbor::host
