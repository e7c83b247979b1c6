// StateFile: arbord's state file on disk (`state_file`, SPEC §9): the operator stops that
// outlive arbord. The text is config/state_file.h's; the writes are host::write_atomically
// (temp file, fsync, rename, fsync of the directory) through the host's Sys seam.
//
// A file that cannot be used (no JSON, wrong types, a version newer than this arbord's) is
// logged with the file and where in it, moved aside to PATH.bad, and the tree starts as if
// there were none. A failed write is logged; the stop it was for goes on, and error() says
// why until a later write succeeds (the control commands' replies carry it as a warning).
#pragma once

#include <string>
#include <vector>

#include "daemon/host/sys.h"

namespace arbor::app {

class StateFile {
 public:
  explicit StateFile(std::string path, host::Sys& sys = host::Sys::real());

  const std::string& path() const { return path_; }
  // The operator stops the file keeps: none when there is no file, or a bad one (moved aside).
  std::vector<std::string> load();
  // Replaces the file's set; false (logged, error() set) when it could not be written.
  bool save(const std::vector<std::string>& operator_stopped);
  // Why the last save failed, "" when it did not.
  const std::string& error() const { return error_; }

 private:
  void move_aside(const std::string& why);

  std::string path_;
  host::Sys& sys_;
  std::string error_;
};

}  // namespace arbor::app
