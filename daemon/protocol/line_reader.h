// LineReader: splits a byte stream into newline-terminated lines, refusing any line
// longer than a cap (docs/PROTOCOL.md: requests over 1 MiB are refused), so a client can never
// make the daemon buffer without bound.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace arbor::protocol {

class LineReader {
 public:
  explicit LineReader(std::size_t max_line_bytes);

  // Appends received bytes. Once a line has passed the cap, further input is ignored
  // (the connection is about to be closed) and overflowed() stays true.
  void feed(std::string_view bytes);

  // The next complete line without its "\n" (a trailing "\r" is dropped too, so CRLF
  // clients work), or nullopt when no complete line is buffered.
  std::optional<std::string> next();

  // True once a line (complete or not) has exceeded max_line_bytes. Lines completed
  // before the long one are still returned by next().
  bool overflowed() const { return overflowed_ && pos_ >= buffer_.size(); }

  // Bytes of an incomplete line waiting for its newline.
  std::size_t pending() const { return buffer_.size() - pos_; }

 private:
  void compact();

  std::size_t max_;
  std::string buffer_;
  std::size_t pos_ = 0;   // start of the first unread line in buffer_
  std::size_t tail_ = 0;  // start of the partial line: every line before it is complete
  bool overflowed_ = false;
};

}  // namespace arbor::protocol
