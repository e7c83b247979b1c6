#include "daemon/app/state_file.h"

#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

#include "config/state_file.h"
#include "daemon/host/atomic_file.h"

namespace arbor::app {
namespace {
// 10,000 stopped paths of 100 bytes are 1 MB: anything near this is not ours.
constexpr std::size_t kMaxStateBytes = 64U << 20U;
}  // namespace

StateFile::StateFile(std::string path, host::Sys& sys) : path_(std::move(path)), sys_(sys) {}

std::vector<std::string> StateFile::load() {
  int err = 0;
  const auto text = host::read_whole_file(sys_, path_, kMaxStateBytes, err);
  if (!text) {
    if (err == ENOENT) return {};
    if (err == EFBIG) {
      move_aside("larger than 64 MiB");
    } else {
      // Unreadable (EACCES, EISDIR, EIO): moving it would most likely fail too.
      spdlog::error(
          "state file {}: cannot be read: {}; starting every child (operator stops are not "
          "restored)",
          path_, std::strerror(err));
    }
    return {};
  }
  config::StateParse parsed = config::parse_state(*text);
  if (!parsed.state) {
    move_aside(config::to_string(*parsed.error));
    return {};
  }
  return std::move(parsed.state->operator_stopped);
}

void StateFile::move_aside(const std::string& why) {
  const std::string bad = path_ + ".bad";
  if (sys_.rename(path_.c_str(), bad.c_str()) != 0) {
    spdlog::error("state file {}: {}; it could not be moved to {} ({}); starting every child", path_, why,
                  bad, std::strerror(errno));
    return;
  }
  spdlog::error("state file {}: {}; moved to {}, starting every child (operator stops are not restored)",
                path_, why, bad);
}

bool StateFile::save(const std::vector<std::string>& operator_stopped) {
  const std::string text = config::state_text(config::SavedState{operator_stopped});
  std::string failure = host::write_atomically(sys_, path_, text);
  if (failure.empty()) {
    if (!error_.empty()) spdlog::info("state file {}: written again", path_);
    error_.clear();
    return true;
  }
  error_ = "the state file " + path_ + " could not be written (" + failure +
           "): operator stops since then will not survive a restart of arbord";
  spdlog::error("{}", error_);
  return false;
}

}  // namespace arbor::app
