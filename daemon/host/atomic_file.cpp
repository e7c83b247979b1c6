#include "daemon/host/atomic_file.h"

#include <fcntl.h>

#include <cerrno>
#include <cstring>

namespace arbor::host {
namespace {

std::string failure(const char* what, const std::string& file, int err) {
  return std::string(what) + " " + file + ": " + std::strerror(err);
}

std::string directory_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

std::string write_atomically(Sys& sys, const std::string& path, std::string_view text, mode_t mode) {
  const std::string tmp = path + ".tmp";
  const int fd = sys.open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) return failure("open", tmp, errno);
  auto abandon = [&](const char* what, int err) {
    sys.close(fd);
    sys.unlink(tmp.c_str());
    return failure(what, tmp, err);
  };
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = sys.write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return abandon("write", n < 0 ? errno : ENOSPC);
    done += static_cast<std::size_t>(n);
  }
  if (sys.fsync(fd) != 0) return abandon("fsync", errno);
  if (sys.close(fd) != 0 && errno != EINTR) {
    const int err = errno;
    sys.unlink(tmp.c_str());
    return failure("close", tmp, err);
  }
  if (sys.rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    sys.unlink(tmp.c_str());
    return "rename " + tmp + " to " + path + ": " + std::strerror(err);
  }
  // The rename itself is durable only once the directory is.
  const std::string dir = directory_of(path);
  const int dir_fd = sys.open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (dir_fd < 0) return failure("open", dir, errno);
  const int synced = sys.fsync(dir_fd);
  const int err = errno;
  sys.close(dir_fd);
  if (synced != 0) return failure("fsync", dir, err);
  return {};
}

std::optional<std::string> read_whole_file(Sys& sys, const std::string& path, std::size_t max_bytes,
                                           int& error_number) {
  const int fd = sys.open(path.c_str(), O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0) {
    error_number = errno;
    return std::nullopt;
  }
  std::string text;
  char buf[65536];
  for (;;) {
    const ssize_t n = sys.read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || text.size() + static_cast<std::size_t>(n) > max_bytes) {
      error_number = n < 0 ? errno : EFBIG;
      sys.close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  sys.close(fd);
  return text;
}

}  // namespace arbor::host
