// arbord as PID 1 of a real pid namespace (util-linux unshare), for the container-init tests:
// the three ways the tests make one, whether this machine can, and /proc read from inside.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "tests/support/arbord_instance.h"

namespace arbor::testing {

enum class NsMode {
  pid,          // unshare --pid --fork --mount-proc (needs root)
  user_root,    // unshare --user --map-root-user --pid ...: root of a user namespace, no real privilege
  user_nobody,  // the same as uid 65534 inside and out (setpriv first when the test runs as root)
};
std::string to_string(NsMode mode);

struct NsLaunch {
  Launch launch;
  std::string skip;  // why this machine cannot make the namespace; empty: it can
};
// The launcher for `mode`, tried once with /bin/true.
NsLaunch ns_launch(NsMode mode);

struct NsProcess {
  pid_t pid = 0;  // as the namespace numbers it
  char state = '\0';
  std::string name;
};
// The processes of the pid namespace of `member`, read from the /proc mounted inside it
// (/proc/<member>/root/proc: the path resolves in the member's mount namespace). nullopt
// when it cannot be read.
std::optional<std::vector<NsProcess>> ns_processes(pid_t member);
std::string describe(const std::vector<NsProcess>& processes);

// The pid namespace of `pid` ("pid:[4026532...]"), empty when it is gone; and the host's
// processes in namespace `ns`.
std::string pid_ns_of(pid_t pid);
std::vector<pid_t> processes_in(const std::string& ns);

}  // namespace arbor::testing
