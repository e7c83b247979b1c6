#include "daemon/control/socket/socket_path.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

namespace arbor::control {

namespace {

std::string errno_text(int err) { return std::strerror(err); }

// mkdir -p with mode 0755 for each directory it creates.
std::string make_parents(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return "";
  const std::string dir = path.substr(0, slash);
  for (std::size_t i = 1; i <= dir.size(); ++i) {
    if (i != dir.size() && dir[i] != '/') continue;
    const std::string part = dir.substr(0, i);
    if (::mkdir(part.c_str(), 0755) != 0 && errno != EEXIST) {
      return "cannot create " + part + ": " + errno_text(errno);
    }
  }
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return dir + " is not a directory";
  return "";
}

// 0: nobody listens (ECONNREFUSED: stale); 1: a daemon accepted; -errno otherwise.
int probe(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  const int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  const int err = errno;
  ::close(fd);
  if (rc == 0) return 1;
  return err == ECONNREFUSED ? 0 : -err;
}

}  // namespace

std::size_t max_socket_path() { return sizeof(sockaddr_un::sun_path) - 1; }

std::string prepare_socket_path(const std::string& path) {
  if (path.empty()) return "the socket path is empty";
  if (path.size() > max_socket_path()) {
    return "socket path too long (" + std::to_string(path.size()) + " bytes, at most " +
           std::to_string(max_socket_path()) + "): " + path;
  }
  if (std::string error = make_parents(path); !error.empty()) return error;
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return "";
    return "cannot use " + path + ": " + errno_text(errno);
  }
  if (!S_ISSOCK(st.st_mode)) return path + " exists and is not a socket; not replacing it";
  const int alive = probe(path);
  if (alive == 1) return "another arbord is running on " + path;
  if (alive < 0) return "cannot check " + path + " for another arbord: " + errno_text(-alive);
  spdlog::info("control: replacing stale socket {} (nothing listens on it)", path);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT)
    return "cannot remove stale " + path + ": " + errno_text(errno);
  return "";
}

}  // namespace arbor::control
