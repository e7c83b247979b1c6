#include "daemon/host/cgroup_watch.h"

#include <sys/inotify.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <spdlog/spdlog.h>

namespace arbor::host {

CgroupWatch::CgroupWatch(uv_loop_t* loop, Sys& sys) : loop_(loop), sys_(sys) {}

CgroupWatch::~CgroupWatch() { close(); }

bool CgroupWatch::open() {
  if (fd_ >= 0) return true;
  fd_ = sys_.inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (fd_ < 0) return false;
  poll_ = uv::UvHandle<uv_poll_t>::create(this, [&](uv_poll_t* h) { return uv_poll_init(loop_, h, fd_); });
  if (!poll_) {
    sys_.close(fd_);
    fd_ = -1;
    errno = ENOMEM;
    return false;
  }
  uv_poll_start(poll_.get(), UV_READABLE, &CgroupWatch::on_readable);
  uv_unref(poll_.base());
  return true;
}

int CgroupWatch::watch(const std::string& file, std::function<void()> changed) {
  if (!open()) return -1;
  const int wd = sys_.inotify_add_watch(fd_, file.c_str(), IN_MODIFY);
  if (wd < 0) return -1;
  if (watches_.empty()) uv_ref(poll_.base());
  watches_[wd] = std::move(changed);
  return wd;
}

void CgroupWatch::unwatch(int wd) {
  if (watches_.erase(wd) == 0) return;
  sys_.inotify_rm_watch(fd_, wd);
  if (watches_.empty() && poll_) uv_unref(poll_.base());
}

void CgroupWatch::on_readable(uv_poll_t* handle, int /*status*/, int /*events*/) {
  if (auto* self = static_cast<CgroupWatch*>(handle->data)) self->drain();
}

void CgroupWatch::drain() {
  alignas(inotify_event) char buf[4096];
  std::vector<int> changed;
  for (;;) {
    const ssize_t n = sys_.read(fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    for (ssize_t at = 0; at < n;) {
      const auto* e = reinterpret_cast<const inotify_event*>(buf + at);
      if ((e->mask & IN_MODIFY) != 0) changed.push_back(e->wd);
      if ((e->mask & IN_IGNORED) != 0) watches_.erase(e->wd);  // the cgroup went away
      at += static_cast<ssize_t>(sizeof(inotify_event) + e->len);
    }
  }
  if (watches_.empty() && poll_) uv_unref(poll_.base());
  // Looked up each time: a callback may unwatch another.
  for (const int wd : changed) {
    if (auto it = watches_.find(wd); it != watches_.end()) {
      auto fn = it->second;  // may unwatch itself
      fn();
    }
  }
}

void CgroupWatch::close() {
  watches_.clear();
  poll_.reset();
  if (fd_ >= 0) sys_.close(fd_);
  fd_ = -1;
}

}  // namespace arbor::host
