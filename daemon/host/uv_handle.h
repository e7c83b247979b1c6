// Lifetime rule for libuv handles owned by host objects.
//
// libuv may still touch a handle after uv_close() until its close callback runs, so a
// handle cannot live inside an object that is destroyed right after closing it. Each
// handle is therefore allocated on its own and freed by its close callback; the owner
// may die as soon as close_handle() returns. data is cleared first so that no callback
// can reach a dead owner.
#pragma once

#include <uv.h>

namespace arbor::host {

template <typename Handle>
Handle* new_handle(void* data) {
  auto* handle = new Handle{};
  handle->data = data;
  return handle;
}

// Closes and forgets `handle` (which must have been initialised). Safe on nullptr.
template <typename Handle>
void close_handle(Handle*& handle) noexcept {
  if (handle == nullptr) return;
  handle->data = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(handle),
           [](uv_handle_t* h) { delete reinterpret_cast<Handle*>(h); });
  handle = nullptr;
}

// For a handle whose init failed: never registered with the loop, plain delete.
template <typename Handle>
void discard_handle(Handle*& handle) noexcept {
  delete handle;
  handle = nullptr;
}

}  // namespace arbor::host
