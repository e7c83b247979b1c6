#include "daemon/host/exec_env.h"

#include <cstring>
#include <unordered_map>

namespace arbor::host {

CStringArray::CStringArray(std::vector<std::string> strings) : strings_(std::move(strings)) {
  pointers_.reserve(strings_.size() + 1);
  for (auto& s : strings_) pointers_.push_back(s.data());
  pointers_.push_back(nullptr);
}

bool is_service_manager_variable(const std::string& name) {
  return name == "NOTIFY_SOCKET" || name.rfind("WATCHDOG_", 0) == 0 || name.rfind("LISTEN_", 0) == 0;
}

std::vector<std::string> build_environment(
    char* const* parent, const std::vector<std::pair<std::string, std::string>>& overrides) {
  std::vector<std::string> entries;
  std::unordered_map<std::string, std::size_t> index;  // name -> position in entries
  auto put = [&](std::string name, std::string entry) {
    auto [it, inserted] = index.try_emplace(std::move(name), entries.size());
    if (inserted) {
      entries.push_back(std::move(entry));
    } else {
      entries[it->second] = std::move(entry);
    }
  };
  for (char* const* p = parent; p != nullptr && *p != nullptr; ++p) {
    const char* eq = std::strchr(*p, '=');
    if (eq == nullptr) continue;
    std::string name(*p, static_cast<std::size_t>(eq - *p));
    if (is_service_manager_variable(name)) continue;
    put(std::move(name), *p);
  }
  for (const auto& [name, value] : overrides) {
    std::string entry = name;
    entry.append("=").append(value);
    put(name, std::move(entry));
  }
  return entries;
}

void add_listen_variables(std::vector<std::pair<std::string, std::string>>& overrides, std::size_t count,
                          std::string names) {
  overrides.emplace_back("LISTEN_FDS", std::to_string(count));
  overrides.emplace_back("LISTEN_FDNAMES", std::move(names));
  // Zeros until the child writes its pid: a pid of 0 is "not for us" to sd_listen_fds().
  overrides.emplace_back("LISTEN_PID", std::string(kListenPidDigits, '0'));
}

char* listen_pid_entry(CStringArray& env) {
  for (char* const* p = env.data(); *p != nullptr; ++p)
    if (std::string_view(*p).starts_with(kListenPidPrefix)) return *p;
  return nullptr;
}

}  // namespace arbor::host
