// Small files written so that a reader never sees half of one: the state file (SPEC §9).
// Through the host's Sys seam, so tests inject a full disk or EACCES.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/host/sys.h"

namespace arbor::host {

// Replaces `path` by `text`: writes PATH.tmp in the same directory, fsyncs it, renames it
// over PATH and fsyncs the directory, so that after a crash, a kill -9 or a power loss PATH
// holds the old text or the new one, never a mix. Returns "" or what failed, with the file
// and the error ("write /run/arbor/arbord.state.tmp: No space left on device"); on a failure
// before the rename PATH is untouched and PATH.tmp removed.
std::string write_atomically(Sys& sys, const std::string& path, std::string_view text, mode_t mode = 0644);

// The content of the regular file `path`, at most `max_bytes`. nullopt with `error_number`
// set (ENOENT: there is none; EFBIG: larger than max_bytes) when it cannot be read.
std::optional<std::string> read_whole_file(Sys& sys, const std::string& path, std::size_t max_bytes,
                                           int& error_number);

}  // namespace arbor::host
