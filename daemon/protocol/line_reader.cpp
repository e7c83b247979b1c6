#include "daemon/protocol/line_reader.h"

namespace arbor::protocol {

LineReader::LineReader(std::size_t max_line_bytes) : max_(max_line_bytes) {}

void LineReader::feed(std::string_view bytes) {
  if (overflowed_) return;
  compact();
  const std::size_t old_size = buffer_.size();
  buffer_.append(bytes);
  // Check every line completed now and the trailing partial one against the cap; a line
  // over it truncates the buffer there so memory stays bounded by about 2 caps. Only the
  // new bytes are searched: a reply of a few MB arrives in many reads, and searching the
  // whole partial line each time made reading it quadratic.
  std::size_t start = tail_;
  std::size_t from = old_size;
  for (;;) {
    const std::size_t nl = buffer_.find('\n', from);
    const std::size_t end = nl == std::string::npos ? buffer_.size() : nl;
    if (end - start > max_) {
      buffer_.resize(start);
      tail_ = start;
      overflowed_ = true;
      return;
    }
    if (nl == std::string::npos) {
      tail_ = start;
      return;
    }
    start = from = nl + 1;
  }
}

std::optional<std::string> LineReader::next() {
  if (pos_ >= tail_) return std::nullopt;  // only a partial line (or nothing) is buffered
  const std::size_t nl = buffer_.find('\n', pos_);
  if (nl == std::string::npos) return std::nullopt;
  std::size_t end = nl;
  if (end > pos_ && buffer_[end - 1] == '\r') --end;
  std::string line = buffer_.substr(pos_, end - pos_);
  pos_ = nl + 1;
  return line;
}

void LineReader::compact() {
  if (pos_ == 0) return;
  buffer_.erase(0, pos_);
  tail_ -= pos_;
  pos_ = 0;
}

}  // namespace arbor::protocol
