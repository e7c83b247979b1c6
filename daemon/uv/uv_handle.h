// UvHandle<T>: the one owner of a libuv handle's lifetime, for every libuv handle arbord
// has (host, app, control socket). Header-only and depending on libuv alone, so that
// any layer on libuv may use it without linking another.
//
// libuv may still touch a handle after uv_close() until its close callback runs, so a
// handle cannot live inside an object that is destroyed right after closing it. The
// handle is therefore allocated on its own and freed by its close callback; the owner
// (and the UvHandle) may die as soon as reset() returns. data is cleared first, so that
// no callback still queued can reach a dead owner. A handle whose init failed was never
// registered with the loop and is deleted at once.
#pragma once

#include <uv.h>

#include <type_traits>
#include <utility>

namespace arbor::uv {

template <typename Handle>
class UvHandle {
 public:
  // Called once libuv is done with the handle, just before it is freed.
  using ClosedFn = void (*)(void* arg);

  UvHandle() = default;
  // Allocates a handle with `data` and runs `init(handle)` (uv_poll_init and the like);
  // if that fails (non-zero), the result is empty and the handle already freed.
  template <typename Init>
  static UvHandle create(void* data, Init&& init) {
    UvHandle owner;
    auto* block = new Block{};
    block->handle.data = data;
    if (std::forward<Init>(init)(&block->handle) != 0) {
      delete block;
    } else {
      owner.handle_ = &block->handle;
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
  uv_stream_t* stream() const noexcept { return reinterpret_cast<uv_stream_t*>(handle_); }

  // Closes the handle (freed by its close callback) and forgets it. Safe when empty.
  // `closed(arg)`, if given, runs from the close callback: an owner that must outlive
  // the handle (a Connection, whose pending writes are cancelled only then) ends there.
  void reset(ClosedFn closed = nullptr, void* arg = nullptr) noexcept {
    if (handle_ == nullptr) return;
    auto* block = reinterpret_cast<Block*>(handle_);
    block->closed = closed;
    block->arg = arg;
    handle_->data = nullptr;
    uv_close(base(), [](uv_handle_t* h) {
      auto* done = reinterpret_cast<Block*>(h);
      if (done->closed != nullptr) done->closed(done->arg);
      delete done;
    });
    handle_ = nullptr;
  }

 private:
  // The handle first, and standard layout, so a handle's address is its block's.
  struct Block {
    Handle handle{};
    ClosedFn closed = nullptr;
    void* arg = nullptr;
  };
  static_assert(std::is_standard_layout_v<Block>);

  Handle* handle_ = nullptr;
};

}  // namespace arbor::uv
