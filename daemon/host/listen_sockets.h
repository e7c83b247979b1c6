// ListenSockets: the listening sockets arbord holds for workers (docs/CONFIG.md "listen"),
// by the worker's path, so that a client connecting while the worker restarts waits in the
// backlog instead of being refused, as with systemd's socket activation.
//
// Lifetime of a worker's sockets:
//  - opened at its first spawn (acquire), before the clone, and kept for the next spawns;
//  - a spawn with a changed list (a reload changed "listen") keeps the sockets whose address
//    is unchanged (re-applying a unix socket's mode and owner), closes those no longer listed
//    and opens the new ones;
//  - release(path) closes those of `path` and of every path below it (the worker, or a
//    supervisor above it, was removed); close_all() at arbord's exit;
//  - a unix socket file arbord made is unlinked when arbord closes the socket, if the file
//    at the path is still that one. At open, a socket file nobody listens on (a stale one,
//    left by a SIGKILLed arbord) is replaced; one a process listens on is refused.
// The descriptors are close-on-exec in arbord: only the spawn of their own worker dup2's
// them to 3, 4, ... (spawn.cpp), so no other worker ever sees them.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "config/tree_spec.h"

namespace arbor::host {

class Sys;

// reexec: one held socket, carried across the exec (its descriptor stays open).
struct HandoverListen {
  std::string path;  // the worker's
  config::Listen spec;
  int fd = -1;
  dev_t dev = 0;  // unix: the socket file arbord made
  ino_t ino = 0;
  mode_t mode = 0;
  uid_t uid = static_cast<uid_t>(-1);
  gid_t gid = static_cast<gid_t>(-1);
};

class ListenSockets {
 public:
  explicit ListenSockets(Sys& sys) : sys_(sys) {}
  ~ListenSockets() { close_all(); }
  ListenSockets(const ListenSockets&) = delete;
  ListenSockets& operator=(const ListenSockets&) = delete;

  // Fills `fds` with the descriptors of spec.listen, in order (empty for no "listen"). On a
  // failure returns false with `error` naming the socket, the step and the errno, e.g.
  // "listen tcp 127.0.0.1:8080: bind: Address already in use (EADDRINUSE)"; the sockets
  // opened meanwhile are kept for the next try.
  bool acquire(const std::string& path, const config::WorkerSpec& spec, std::vector<int>& fds,
               std::string& error);

  // Closes the sockets of `path` and of every path below it ("web" takes "web/api").
  void release(const std::string& path);
  void close_all();

  std::size_t size() const;  // sockets held, for tests

  // reexec: every held socket, in order by worker path; adopt() in the new program holds
  // them again as if it had opened them (the next spawn passes the same descriptors).
  void handover(std::vector<HandoverListen>& out) const;
  void adopt(const std::vector<HandoverListen>& sockets);

 private:
  struct Held {
    config::Listen spec;
    int fd = -1;
    // unix: the file made (for the unlink at close) and the mode and owner applied to it
    dev_t dev = 0;
    ino_t ino = 0;
    mode_t mode = 0;
    uid_t uid = static_cast<uid_t>(-1);
    gid_t gid = static_cast<gid_t>(-1);
  };

  bool open(Held& held, const config::WorkerSpec& spec, std::string& error);
  bool apply_owner(Held& held, const config::WorkerSpec& spec, std::string& error);
  void close(Held& held);

  Sys& sys_;
  std::map<std::string, std::vector<Held>> by_path_;  // ordered: release() takes a subtree
};

// The LISTEN_FDNAMES value: each socket's "name", or the worker's id (the last part of its
// path) where none was given — the counterpart of systemd's default, the socket unit's name.
std::string listen_fd_names(const std::string& path, const std::vector<config::Listen>& listen);

}  // namespace arbor::host
