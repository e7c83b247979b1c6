// CgroupWatch: one inotify descriptor for every cgroup arbord waits on, watched by the loop
// as one uv_poll (as systemd watches cgroup.events). The kernel marks cgroup.events
// modified when "populated" or "frozen" changes, so a worker's cgroup emptying is an event,
// never a timer. The poll is referenced only while something is watched: an idle arbord
// is not kept awake, or alive, by it.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>

#include "daemon/host/sys.h"
#include "daemon/uv/uv_handle.h"

namespace arbor::host {

class CgroupWatch {
 public:
  CgroupWatch(uv_loop_t* loop, Sys& sys);
  ~CgroupWatch();
  CgroupWatch(const CgroupWatch&) = delete;
  CgroupWatch& operator=(const CgroupWatch&) = delete;

  // Calls `changed` from the loop each time `file` (a cgroup.events) is modified, until
  // unwatch(). Returns the watch's id, or -1 with errno (then nothing will be called).
  // The caller reads the file again after watching, for a change that came before.
  int watch(const std::string& file, std::function<void()> changed);
  // Opens the inotify descriptor now (else at the first watch): arbord's descriptors stay
  // the same from start to end, however many drains come and go.
  bool open();
  void unwatch(int wd);
  void close();

 private:
  static void on_readable(uv_poll_t* handle, int status, int events);
  void drain();

  uv_loop_t* loop_;
  Sys& sys_;
  int fd_ = -1;
  uv::UvHandle<uv_poll_t> poll_;
  std::unordered_map<int, std::function<void()>> watches_;
};

}  // namespace arbor::host
