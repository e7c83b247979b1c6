// Making the control socket's path ready to bind (docs/ARBORD.md): a path that fits in
// sun_path, a parent directory, and no other arbord on it.
#pragma once

#include <string>

namespace arbor::control {

// The longest path a sockaddr_un holds with its terminating NUL (107 on Linux).
// libuv 1.44's uv_pipe_bind truncates longer paths silently, so we check first.
std::size_t max_socket_path();

// Checks the length, creates the parent directory (mode 0755) if missing, and removes
// a stale socket left by a dead arbord (connect() is refused). Returns "" when the
// path is free to bind, else why not — "another arbord is running on PATH" when a
// daemon answers there.
std::string prepare_socket_path(const std::string& path);

}  // namespace arbor::control
