#include "daemon/protocol/line_reader.h"

namespace arbor::protocol {

LineReader::LineReader(std::size_t max_line_bytes) : max_(max_line_bytes) {}

void LineReader::feed(std::string_view bytes) {
  if (overflowed_) return;
  compact();
  buffer_.append(bytes);
  // Check every complete line and the trailing partial one against the cap; a line
  // over it truncates the buffer there so memory stays bounded by about 2 caps.
  std::size_t start = pos_;
  while (start < buffer_.size()) {
    const std::size_t nl = buffer_.find('\n', start);
    const std::size_t end = nl == std::string::npos ? buffer_.size() : nl;
    if (end - start > max_) {
      buffer_.resize(start);
      overflowed_ = true;
      return;
    }
    if (nl == std::string::npos) return;
    start = nl + 1;
  }
}

std::optional<std::string> LineReader::next() {
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
  pos_ = 0;
}

}  // namespace arbor::protocol
