// UvHandle<T>: the one owner of a libuv handle's lifetime, for the host and the app.
//
// libuv may still touch a handle after uv_close() until its close callback runs, so a
// handle cannot live inside an object that is destroyed right after closing it. The
// handle is therefore allocated on its own and freed by its close callback; the owner
// (and the UvHandle) may die as soon as reset() returns. data is cleared first, so that
// no callback still queued can reach a dead owner. A handle whose init failed was never
// registered with the loop and is deleted at once.
#pragma once

#include <uv.h>

#include <utility>

namespace arbor::host {

template <typename Handle>
class UvHandle {
 public:
  UvHandle() = default;
  // Allocates a handle with `data` and runs `init(handle)` (uv_poll_init and the like);
  // if that fails (non-zero), the result is empty and the handle already freed.
  template <typename Init>
  static UvHandle create(void* data, Init&& init) {
    UvHandle owner;
    owner.handle_ = new Handle{};
    owner.handle_->data = data;
    if (std::forward<Init>(init)(owner.handle_) != 0) {
      delete owner.handle_;
      owner.handle_ = nullptr;
    }
    return owner;
  }

  ~UvHandle() { reset(); }
  UvHandle(UvHandle&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  UvHandle& operator=(UvHandle&& other) noexcept {
    if (this != &other) {
      reset();
      handle_ = std::exchange(other.handle_, nullptr);
    }
    return *this;
  }
  UvHandle(const UvHandle&) = delete;
  UvHandle& operator=(const UvHandle&) = delete;

  Handle* get() const noexcept { return handle_; }
  Handle* operator->() const noexcept { return handle_; }
  explicit operator bool() const noexcept { return handle_ != nullptr; }
  uv_handle_t* base() const noexcept { return reinterpret_cast<uv_handle_t*>(handle_); }

  // Closes the handle (freed by its close callback) and forgets it. Safe when empty.
  void reset() noexcept {
    if (handle_ == nullptr) return;
    handle_->data = nullptr;
    uv_close(base(), [](uv_handle_t* h) { delete reinterpret_cast<Handle*>(h); });
    handle_ = nullptr;
  }

 private:
  Handle* handle_ = nullptr;
};

}  // namespace arbor::host
