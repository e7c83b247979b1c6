// Reads one worker's output pipe (stdout and stderr share it) and hands whole lines to
// its LogFile.
//
// Lines are what the file receives: a partial line waits for its newline; a line longer
// than kMaxLine bytes is written as kMaxLine-byte pieces, each ending with '\n'; at EOF
// a trailing partial line gets a '\n'. The pipe is always read, whatever the file does,
// so a worker never blocks on its output.
#pragma once

#include <uv.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "daemon/host/log_file.h"
#include "daemon/host/sys.h"
#include "daemon/uv/uv_handle.h"

namespace arbor::host {

class LogCapture {
 public:
  static constexpr std::size_t kMaxLine = 64 * 1024;

  // Starts reading `read_fd` (non-blocking; taken over). `on_eof` runs once, from the loop,
  // after EOF has closed the capture (its owner may then destroy it, later, not inside).
  // `sys` outlives the capture.
  LogCapture(uv_loop_t* loop, int read_fd, std::shared_ptr<LogFile> file, std::function<void()> on_eof,
             Sys& sys = Sys::real());
  ~LogCapture();
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  // Reads everything already in the pipe, synchronously (used once the group is gone, so
  // the log holds all output by the time `exited` is reported).
  void drain();

  // Flushes a trailing partial line and closes. Idempotent.
  void close() noexcept;

  bool closed() const { return fd_ < 0; }

  // reexec: the pipe and the partial line read from it, and putting that line back.
  int fd() const { return fd_; }
  const std::string& pending() const { return pending_; }
  void set_pending(std::string pending) { pending_ = std::move(pending); }

 private:
  static void on_readable(uv_poll_t* handle, int status, int events);
  void read_some(int max_reads);
  void consume(std::string_view data);

  int fd_;
  Sys& sys_;
  uv::UvHandle<uv_poll_t> poll_;
  std::shared_ptr<LogFile> file_;
  std::function<void()> on_eof_;
  std::string pending_;  // the current partial line
};

}  // namespace arbor::host
