// ReexecState: everything arbord hands to the program it execs for `arborctl reexec`, and
// its byte format (docs/DESIGN.md, "In-place upgrade"). The bytes live in a memfd whose
// number the new program gets as `--deserialize FD`.
//
// Format: a header of text lines that every version of arbord reads, then a payload only
// its own format version reads:
//
//   ARBORD-STATE <version>\n
//   fds <fd> <fd> ...\n          every descriptor kept open across the exec
//   groups <pgid> <pgid> ...\n   every worker's process group
//   client <fd> <request id as JSON>\n
//   \n
//   <payload: tokens, reexec_wire.h (format 3)>
//
// A program that finds another version (a downgrade across a format change) reads only the
// header: it closes the descriptors, kills the groups, starts the tree from its config and
// answers the client saying why (the documented fallback: no worker is lost silently).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/tree_spec.h"
#include "daemon/core/snapshot.h"
#include "daemon/events/event_bus.h"
#include "daemon/host/process_runner.h"

namespace arbor::app {

// 2: the cgroup instance, each worker's cgroup, the held listening sockets.
// 3: the payload as compact tokens (reexec_wire.h), each distinct spec once (reexec_specs.h),
//    every top-level setting (state_file and metrics were lost by 2).
inline constexpr int kReexecStateVersion = 3;

// The header: what every version understands.
struct ReexecHeader {
  int version = kReexecStateVersion;
  std::vector<int> fds;
  std::vector<pid_t> groups;
  int client_fd = -1;
  nlohmann::json request_id;
};

struct ReexecState {
  ReexecHeader header;
  std::vector<std::string> argv;  // arbord's own command line (without --deserialize)
  std::string config_path;
  config::TreeSpec tree;  // top-level settings; tree.root unused (snapshot.root_spec)
  core::TreeSnapshot snapshot;
  std::vector<host::HandoverWorker> workers;
  std::vector<host::HandoverListen> listen;  // the workers' held listening sockets
  std::string cgroup_instance;               // absolute "…/arbord-PID"; empty: cgroups off
  int listener_fd = -1;
  std::string record_path;  // the group record (<socket>.groups), still locked through record_fd
  int record_fd = -1;
  std::uint64_t event_seq = 0;
  std::vector<events::StampedEvent> history;
};

// The bytes of `state` (header.version is written as it is: tests of the fallback bump it).
std::string encode(const ReexecState& state);

// The header's lines, the empty line included (reexec_header.cpp).
std::string encode_header(const ReexecHeader& header);
// Reads the header only. False and `why` when even that is unreadable.
bool decode_header(std::string_view bytes, ReexecHeader& header, std::string& why);
// Reads everything; false and `why` when the bytes are not a state of this version
// (header.version says which it was, when the header could be read).
bool decode(std::string_view bytes, ReexecState& state, std::string& why);

// main()'s part (reexec_check.cpp). Reads the state's bytes from `fd` (then closes it).
bool read_state(int fd, std::string& bytes, std::string& why);
// The state decoded and adopted by a tree on a host that does nothing: what the new program
// would do, without touching a process. False and why when it could not.
bool check_state(std::string_view bytes, std::string& why);
// `arbord --reexec-check FILE`, the old program's dry run: 0 when this program can take the
// state over, else 1 with why on stderr.
int check_state_file(const std::string& path);
// The fallback: closes the kept descriptors (but `keep`), SIGKILLs every group and reaps
// the leaders (they are this process's children), so nothing is left unsupervised.
void abandon_handover(const ReexecHeader& header, const std::vector<int>& keep);

}  // namespace arbor::app
