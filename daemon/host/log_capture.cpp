#include "daemon/host/log_capture.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "daemon/uv/uv_handle.h"

namespace arbor::host {
namespace {

// Bounds one callback's work so one chatty worker cannot starve the loop.
constexpr int kReadsPerWakeup = 16;

}  // namespace

LogCapture::LogCapture(uv_loop_t* loop, int read_fd, std::shared_ptr<LogFile> file,
                       std::function<void()> on_eof, Sys& sys)
    : fd_(read_fd), sys_(sys), file_(std::move(file)), on_eof_(std::move(on_eof)) {
  poll_ = uv::UvHandle<uv_poll_t>::create(this, [&](uv_poll_t* h) { return uv_poll_init(loop, h, fd_); });
  if (poll_) uv_poll_start(poll_.get(), UV_READABLE, &LogCapture::on_readable);
}

LogCapture::~LogCapture() { close(); }

void LogCapture::on_readable(uv_poll_t* handle, int /*status*/, int /*events*/) {
  if (auto* self = static_cast<LogCapture*>(handle->data)) self->read_some(kReadsPerWakeup);
}

void LogCapture::drain() { read_some(-1); }

void LogCapture::read_some(int max_reads) {
  char buf[kMaxLine];
  for (int i = 0; fd_ >= 0 && (max_reads < 0 || i < max_reads); ++i) {
    ssize_t n = sys_.read(fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return;  // EAGAIN: the pipe is empty for now
    if (n == 0) {
      close();
      if (auto on_eof = std::move(on_eof_)) on_eof();
      return;
    }
    consume(std::string_view(buf, static_cast<std::size_t>(n)));
  }
}

void LogCapture::consume(std::string_view data) {
  // The common case, in one write: nothing pending, and data (one read, at most kMaxLine
  // bytes) holds whole lines that therefore need no splitting; the tail waits.
  if (pending_.empty() && data.size() <= kMaxLine) {
    const auto last = data.rfind('\n');
    if (last != std::string_view::npos && file_) file_->write_lines(data.substr(0, last + 1));
    pending_.assign(data.substr(last == std::string_view::npos ? 0 : last + 1));  // < kMaxLine
    return;
  }
  pending_.append(data);
  std::string out;
  auto add_piece = [&out](std::string_view piece) {
    out.append(piece);
    out.push_back('\n');
  };
  std::size_t start = 0;
  for (std::size_t nl; (nl = pending_.find('\n', start)) != std::string::npos; start = nl + 1) {
    std::string_view line(pending_.data() + start, nl - start);
    do {
      add_piece(line.substr(0, kMaxLine));
      line.remove_prefix(std::min(line.size(), kMaxLine));
    } while (!line.empty());
  }
  // Split a partial line only once it is known to be longer than kMaxLine, so a line of
  // exactly kMaxLine bytes is not followed by an empty one.
  while (pending_.size() - start > kMaxLine) {
    add_piece(std::string_view(pending_).substr(start, kMaxLine));
    start += kMaxLine;
  }
  pending_.erase(0, start);
  if (!out.empty() && file_) file_->write_lines(out);
}

void LogCapture::close() noexcept {
  if (fd_ < 0) return;
  poll_.reset();
  sys_.close(fd_);
  fd_ = -1;
  if (!pending_.empty()) {
    pending_.push_back('\n');
    if (file_) file_->write_lines(pending_);
    pending_.clear();
  }
}

}  // namespace arbor::host
