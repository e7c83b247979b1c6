// The argv and environment a worker is exec'd with (docs/SEMANTICS.md "Exec environment").
//
// Built in the parent before fork, because the child may only make async-signal-safe
// calls and so cannot allocate.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace arbor::host {

// A NULL-terminated char* array over strings it owns, as execve wants it.
class CStringArray {
 public:
  explicit CStringArray(std::vector<std::string> strings);
  CStringArray(const CStringArray&) = delete;
  CStringArray& operator=(const CStringArray&) = delete;

  char* const* data() const { return pointers_.data(); }
  const std::vector<std::string>& strings() const { return strings_; }

 private:
  std::vector<std::string> strings_;
  std::vector<char*> pointers_;
};

// True for the variables that describe arbord's own service-manager contract
// (NOTIFY_SOCKET, WATCHDOG_*, LISTEN_*) and must not leak to workers.
bool is_service_manager_variable(const std::string& name);

// Returns "NAME=value" entries: `parent` (e.g. environ) without the service-manager
// variables, then `overrides` replacing or adding entries in order. A later override of
// the same name wins. Entries of `parent` without '=' are dropped.
std::vector<std::string> build_environment(char* const* parent,
                                           const std::vector<std::pair<std::string, std::string>>& overrides);

// The socket-activation variables for `count` sockets named `names` (":"-separated), as
// systemd sets them: LISTEN_FDS, LISTEN_FDNAMES, and LISTEN_PID with room for the digits of
// the worker's pid, which only its child knows (spawn.cpp writes them, see listen_pid_entry).
void add_listen_variables(std::vector<std::pair<std::string, std::string>>& overrides, std::size_t count,
                          std::string names);
inline constexpr std::string_view kListenPidPrefix = "LISTEN_PID=";
inline constexpr std::size_t kListenPidDigits = 10;  // any pid_t
// The "LISTEN_PID=..." entry of `env`, or nullptr.
char* listen_pid_entry(CStringArray& env);

}  // namespace arbor::host
