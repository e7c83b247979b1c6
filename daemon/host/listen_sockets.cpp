#include "daemon/host/listen_sockets.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "daemon/host/sys.h"

namespace arbor::host {
namespace {

using Kind = config::Listen::Kind;

std::string describe(const config::Listen& l) {
  return fmt::format("{} {}", l.kind == Kind::tcp ? "tcp" : "unix", l.address);
}

std::string failure(const config::Listen& l, const char* step, int err) {
  const char* name = strerrorname_np(err);
  return fmt::format("listen {}: {}: {} ({})", describe(l), step, std::strerror(err),
                     name != nullptr ? name : "?");
}

// The same socket: a reload that keeps the address keeps the descriptor (and its backlog).
bool same_socket(const config::Listen& a, const config::Listen& b) {
  if (a.kind != b.kind) return false;
  if (a.kind == Kind::unix_socket) return a.address == b.address;
  return a.ipv6 == b.ipv6 && a.ip == b.ip && a.port == b.port && a.scope_id == b.scope_id;
}

sockaddr_un unix_address(const config::Listen& l) {
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  std::memcpy(sa.sun_path, l.address.data(), std::min(l.address.size(), sizeof sa.sun_path - 1));
  return sa;
}

}  // namespace

std::string listen_fd_names(const std::string& path, const std::vector<config::Listen>& listen) {
  const std::string id = path.substr(path.rfind('/') + 1);  // npos + 1 == 0: the whole path
  std::string names;
  for (const config::Listen& l : listen) {
    if (!names.empty()) names += ':';
    names += l.name.empty() ? id : l.name;
  }
  return names;
}

bool ListenSockets::acquire(const std::string& path, const config::WorkerSpec& spec, std::vector<int>& fds,
                            std::string& error) {
  fds.clear();
  auto it = by_path_.find(path);
  if (spec.listen.empty()) {
    if (it != by_path_.end()) release(path);
    return true;
  }
  std::vector<Held> old;
  if (it != by_path_.end()) old = std::move(it->second);
  std::vector<Held> next(spec.listen.size());
  std::vector<bool> kept(old.size(), false);
  for (std::size_t i = 0; i < spec.listen.size(); ++i) {
    next[i].spec = spec.listen[i];
    for (std::size_t j = 0; j < old.size(); ++j) {
      if (kept[j] || !same_socket(old[j].spec, spec.listen[i])) continue;
      kept[j] = true;
      next[i].fd = old[j].fd;
      next[i].dev = old[j].dev;
      next[i].ino = old[j].ino;
      next[i].mode = old[j].mode;
      next[i].uid = old[j].uid;
      next[i].gid = old[j].gid;
      break;
    }
  }
  // What is no longer listed goes first, so that its address is free for the new list
  // (127.0.0.1:80 replaced by 0.0.0.0:80).
  for (std::size_t j = 0; j < old.size(); ++j)
    if (!kept[j]) close(old[j]);

  bool ok = true;
  for (Held& held : next) {
    if (held.fd >= 0) {
      ok = apply_owner(held, spec, error);
    } else if (open(held, spec, error)) {
      spdlog::info("{}: listening on {}", path, describe(held.spec));
    } else {
      ok = false;
    }
    if (!ok) break;
  }
  std::vector<Held>& held_now = by_path_[path];
  held_now.clear();
  for (Held& held : next) {
    if (held.fd >= 0) held_now.push_back(held);
  }
  if (held_now.empty()) by_path_.erase(path);
  if (!ok) return false;
  for (const Held& held : next) fds.push_back(held.fd);
  return true;
}

bool ListenSockets::open(Held& held, const config::WorkerSpec& spec, std::string& error) {
  const config::Listen& l = held.spec;
  sockaddr_storage storage{};
  socklen_t len = 0;
  int family = AF_UNIX;
  if (l.kind == Kind::tcp && l.ipv6) {
    auto& sa = reinterpret_cast<sockaddr_in6&>(storage);
    family = sa.sin6_family = AF_INET6;
    sa.sin6_port = htons(l.port);
    std::memcpy(&sa.sin6_addr, l.ip.data(), sizeof sa.sin6_addr);
    sa.sin6_scope_id = l.scope_id;
    len = sizeof sa;
  } else if (l.kind == Kind::tcp) {
    auto& sa = reinterpret_cast<sockaddr_in&>(storage);
    family = sa.sin_family = AF_INET;
    sa.sin_port = htons(l.port);
    std::memcpy(&sa.sin_addr, l.ip.data(), sizeof sa.sin_addr);
    len = sizeof sa;
  } else {
    reinterpret_cast<sockaddr_un&>(storage) = unix_address(l);
    len = sizeof(sockaddr_un);
    struct stat st {};
    if (sys_.lstat(l.address.c_str(), &st) == 0) {
      if (!S_ISSOCK(st.st_mode)) {
        error = failure(l, "not replaced: the file there is no socket", EEXIST);
        return false;
      }
      // A live socket answers (or has a full backlog); a stale one refuses the connection.
      const int probe = sys_.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
      if (probe < 0) {
        error = failure(l, "socket", errno);
        return false;
      }
      const int rc = sys_.connect(probe, reinterpret_cast<const sockaddr*>(&storage), len);
      const int err = errno;
      sys_.close(probe);
      if (rc == 0 || err == EAGAIN || err == EINPROGRESS) {
        error = failure(l, "a process is listening on it", EADDRINUSE);
        return false;
      }
      if (err != ECONNREFUSED && err != ENOENT) {
        error = failure(l, "connect (to see whether the socket file is stale)", err);
        return false;
      }
      if (err == ECONNREFUSED && sys_.unlink(l.address.c_str()) < 0 && errno != ENOENT) {
        error = failure(l, "unlink of the stale socket file", errno);
        return false;
      }
      spdlog::info("replacing the stale socket file {}", l.address);
    }
  }

  const int fd = sys_.socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = failure(l, "socket", errno);
    return false;
  }
  const auto fail = [&](const char* step) {
    error = failure(l, step, errno);
    sys_.close(fd);
    return false;
  };
  if (l.kind == Kind::tcp) {
    const int one = 1;
    if (sys_.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) return fail("setsockopt");
    if (sys_.bind(fd, reinterpret_cast<const sockaddr*>(&storage), len) < 0) return fail("bind");
  } else {
    // The file is made with the socket's mode, never wider for a moment (as systemd does).
    // arbord is one thread, so its umask can be changed around the bind.
    const mode_t saved = ::umask(~l.mode & 0777);
    const int rc = sys_.bind(fd, reinterpret_cast<const sockaddr*>(&storage), len);
    const int err = errno;
    ::umask(saved);
    errno = err;
    if (rc < 0) return fail("bind");
    struct stat st {};
    if (sys_.stat(l.address.c_str(), &st) == 0) {
      held.dev = st.st_dev;
      held.ino = st.st_ino;
    }
    held.mode = l.mode;
    held.fd = fd;
    if (!apply_owner(held, spec, error)) {
      close(held);
      return false;
    }
  }
  if (sys_.listen(fd, SOMAXCONN) < 0) {
    const int err = errno;
    if (held.fd >= 0) {
      close(held);
    } else {
      sys_.close(fd);
    }
    error = failure(l, "listen", err);
    return false;
  }
  held.fd = fd;
  return true;
}

// A unix socket belongs to the worker's user and group; reapplied when a reload changed them
// (or the mode) but kept the path.
bool ListenSockets::apply_owner(Held& held, const config::WorkerSpec& spec, std::string& error) {
  if (held.spec.kind != Kind::unix_socket) return true;
  const char* path = held.spec.address.c_str();
  if (held.mode != held.spec.mode) {
    if (sys_.chmod(path, held.spec.mode) < 0) {
      error = failure(held.spec, "chmod", errno);
      return false;
    }
    held.mode = held.spec.mode;
  }
  const uid_t uid = spec.uid ? *spec.uid : static_cast<uid_t>(-1);
  const gid_t gid = spec.gid ? *spec.gid : static_cast<gid_t>(-1);
  if (uid == held.uid && gid == held.gid) return true;
  if ((uid != static_cast<uid_t>(-1) || gid != static_cast<gid_t>(-1)) && sys_.chown(path, uid, gid) < 0) {
    error = failure(held.spec, "chown", errno);
    return false;
  }
  held.uid = uid;
  held.gid = gid;
  return true;
}

void ListenSockets::close(Held& held) {
  if (held.fd < 0) return;
  sys_.close(held.fd);
  held.fd = -1;
  if (held.spec.kind != Kind::unix_socket || held.ino == 0) return;
  // Only the file arbord made: another may have been put there since.
  struct stat st {};
  if (sys_.lstat(held.spec.address.c_str(), &st) == 0 && st.st_dev == held.dev && st.st_ino == held.ino)
    sys_.unlink(held.spec.address.c_str());
}

void ListenSockets::release(const std::string& path) {
  const auto drop = [this](std::map<std::string, std::vector<Held>>::iterator it) {
    for (Held& held : it->second) close(held);
    return by_path_.erase(it);
  };
  if (auto it = by_path_.find(path); it != by_path_.end()) drop(it);
  const std::string below = path == "/" ? "" : path + "/";
  for (auto it = by_path_.lower_bound(below); it != by_path_.end() && it->first.starts_with(below);)
    it = drop(it);
}

void ListenSockets::close_all() {
  for (auto& [path, held] : by_path_)
    for (Held& h : held) close(h);
  by_path_.clear();
}

std::size_t ListenSockets::size() const {
  std::size_t n = 0;
  for (const auto& [path, held] : by_path_) n += held.size();
  return n;
}

void ListenSockets::handover(std::vector<HandoverListen>& out) const {
  for (const auto& [path, held] : by_path_) {
    for (const Held& h : held) {
      if (h.fd >= 0) out.push_back({path, h.spec, h.fd, h.dev, h.ino, h.mode, h.uid, h.gid});
    }
  }
}

void ListenSockets::adopt(const std::vector<HandoverListen>& sockets) {
  for (const HandoverListen& s : sockets) {
    Held h;
    h.spec = s.spec;
    h.fd = s.fd;
    h.dev = s.dev;
    h.ino = s.ino;
    h.mode = s.mode;
    h.uid = s.uid;
    h.gid = s.gid;
    by_path_[s.path].push_back(std::move(h));
  }
}

}  // namespace arbor::host
