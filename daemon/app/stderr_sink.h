// StderrSink: arbord's own log, written to stderr without ever blocking the event loop.
//
// arbord's stderr is whatever started it: journald's stream socket, a pipe, a terminal. When
// nobody reads it (journald stalled, a terminal paused with Ctrl-S, a pipe whose reader
// hangs) a plain write blocks, and with it supervision. So this sink never waits:
//   - it writes through a non-blocking description of stderr of its own (a socket is sent
//     to with MSG_DONTWAIT; a pipe or terminal is reopened through /proc/self/fd/2 with
//     O_NONBLOCK, which leaves the description workers with "inherit" output share
//     untouched; a regular file is written as it is);
//   - what cannot be written now waits in a bounded buffer, flushed when the loop says
//     stderr is writable again (a poll handle that exists only while the buffer is not
//     empty, so an idle arbord never wakes);
//   - a line that does not fit is dropped whole and counted, and once stderr drains one
//     line says how many were lost.
// Colours (terminals only, off with NO_COLOR) mark the level as spdlog's colour sink does.
#pragma once

#include <uv.h>

#include <spdlog/details/null_mutex.h>
#include <spdlog/sinks/base_sink.h>

#include <cstdint>
#include <string>

#include "daemon/uv/uv_handle.h"

namespace arbor::app {

class StderrSink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
 public:
  // `capacity`: bytes held while stderr is not writable (whole lines).
  explicit StderrSink(std::size_t capacity = 256 << 10);
  ~StderrSink() override;

  // From here on a full stderr is waited for on `loop` (before, a line that cannot be
  // written at once is buffered and retried at the next line). Call detach() before the
  // loop closes.
  void attach(uv_loop_t* loop);
  void detach();

  std::uint64_t dropped_lines() const { return dropped_; }
  std::size_t buffered_bytes() const { return pending_.size(); }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override {}

 private:
  static void on_writable(uv_poll_t* handle, int status, int events);
  // Writes what it can of pending_; true when all of it is out.
  bool write_pending();
  void watch_writable();
  // Queues the line that says how many lines were lost since the last such line.
  void report_drops();
  void append_colored(const spdlog::details::log_msg& msg, const spdlog::memory_buf_t& text);

  int fd_ = 2;
  bool is_socket_ = false;
  bool own_fd_ = false;
  bool colour_ = false;
  std::size_t capacity_;
  std::string pending_;
  std::uint64_t dropped_ = 0;
  std::uint64_t reported_ = 0;  // of dropped_, already said in a line
  uv_loop_t* loop_ = nullptr;
  int epoll_fd_ = -1;             // holds fd_ (EPOLLOUT); the loop watches it
  uv::UvHandle<uv_poll_t> poll_;  // started only while pending_ is not empty
};

}  // namespace arbor::app
