// Reading a worker's captured output for `logs` (docs/ARBORCTL.md): the last lines of its log
// file, and new lines as they are written, across rotation (name.log -> name.log.1).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace arbor::control {

// Where `logs` reads a worker's output: <log_dir>/<path with '/' as '.'>.log
// (the naming of daemon/host/process_runner).
std::string log_file_for(const std::string& log_dir, const std::string& path);

// Follows one log file. Owns an open descriptor of the file it is reading, so the
// bytes written just before a rotation are still read from the renamed file.
class LogTail {
 public:
  explicit LogTail(std::string file);
  ~LogTail();
  LogTail(const LogTail&) = delete;
  LogTail& operator=(const LogTail&) = delete;

  // Opens the file (if it exists yet) and returns its last `n` complete lines; later
  // poll() calls return what is written after this point.
  std::vector<std::string> open_and_tail(std::size_t n);

  // The complete lines written since the last call. Handles rotation (the file was
  // renamed and a new one created: the rest of the old file first, then the new one)
  // and truncation (starts again at the top).
  std::vector<std::string> poll();

  const std::string& file() const { return file_; }

 private:
  void read_available(std::vector<std::string>& out);
  bool reopen();

  std::string file_;
  int fd_ = -1;
  ino_t inode_ = 0;
  std::uint64_t offset_ = 0;
  std::string partial_;  // a line still waiting for its newline
};

}  // namespace arbor::control
