// arborctl's failures, one exception type per domain. Each is caught once, in main(),
// and becomes the exit status of docs/ARBORCTL.md and one message: a line on stderr, or with
// --json one {"error": {"code", "message"}} document on stdout.
#pragma once

#include <stdexcept>
#include <string>

namespace arbor::ctl {

// Exit statuses of docs/ARBORCTL.md.
enum Exit : int { exit_ok = 0, exit_refused = 1, exit_usage = 2, exit_unreachable = 3 };

// The command line is wrong (exit 2; code "usage").
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// arbord could not be reached or did not answer (exit 3; code "unreachable").
class Unreachable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// arbord refused the request (exit 1; the code of its reply).
class Refused : public std::runtime_error {
 public:
  Refused(std::string code, const std::string& message)
      : std::runtime_error(message), code_(std::move(code)) {}
  const std::string& code() const { return code_; }

 private:
  std::string code_;
};

}  // namespace arbor::ctl
