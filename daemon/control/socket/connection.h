// Connection: one control client on a libuv pipe. Reads request lines (1 MiB cap),
// hands them to the Dispatcher, and queues replies and stream lines without ever
// blocking the loop: a client with more than 1 MiB of unread output is dropped.
//
// Lifetime: the Connection holds itself (self_) from accept until its handle's close
// callback (uv::UvHandle::reset's `closed`), so nothing is freed while libuv may still
// call back. Streams the client started (watch, logs -f, wait) are released when the
// handle has closed, never from inside the callback that caused the close.
#pragma once

#include <uv.h>

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "daemon/control/dispatcher.h"
#include "daemon/control/session.h"
#include "daemon/protocol/line_reader.h"
#include "daemon/uv/uv_handle.h"

namespace arbor::control {

class Connection final : public Session, public std::enable_shared_from_this<Connection> {
 public:
  // Accepts a pending client of `server`. Returns null (and closes what it opened)
  // when the accept fails.
  static std::shared_ptr<Connection> accept(uv_stream_t* server, Dispatcher& dispatcher);
  // reexec: a client of the program before, still connected on `fd`.
  static std::shared_ptr<Connection> open(uv_loop_t* loop, int fd, Dispatcher& dispatcher);
  // Sends the reply to a request the program before read (reexec's).
  void answer(const nlohmann::json& reply) noexcept;
  int handover_fd() const override;
  ~Connection() override;

  // Checks the peer's credentials (root or our own uid) and starts reading; a peer of
  // another uid gets a `forbidden` reply and is closed.
  void start();

  void send(const nlohmann::json& message, Kind kind) noexcept override;
  void send_line(std::string line, Kind kind) noexcept override;
  bool is_open() const override { return open_; }
  std::optional<std::uint32_t> peer_uid() const override { return peer_uid_; }
  void keep(std::unique_ptr<Handle> handle) override;
  std::size_t unsent_bytes() const override;
  void when_drained(std::function<void()> fn) override;
  void hang_up() noexcept override { close(); }

  // Closes now, dropping unsent output.
  void close() noexcept;
  // The server is going away: releases every stream now (they refer to the daemon),
  // then closes after what is queued has been written.
  void abandon() noexcept;

 private:
  explicit Connection(Dispatcher& dispatcher);
  void on_read(ssize_t nread, const uv_buf_t* buf) noexcept;
  void close_after_flush() noexcept;
  void on_closed() noexcept;
  uv_stream_t* stream() const;
  std::string peer() const;

  Dispatcher& dispatcher_;
  uv::UvHandle<uv_pipe_t> pipe_;      // data: this; empty once closing
  std::shared_ptr<Connection> self_;  // libuv's reference, dropped when the pipe has closed
  protocol::LineReader reader_{protocol::kMaxLineBytes};
  std::vector<std::unique_ptr<Handle>> streams_;
  std::function<void()> drained_;  // when_drained: called once the write queue is empty
  bool open_ = true;               // accepting output
  bool closing_ = false;           // close or shutdown requested
  bool eof_ = false;               // the client will send no more
  int unanswered_ = 0;             // requests dispatched and not yet replied to
  pid_t peer_pid_ = 0;
  uid_t peer_uid_ = 0;
};

}  // namespace arbor::control
