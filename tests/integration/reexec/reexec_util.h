// Shared by the reexec tests: workers that record every signal they get, the tree's
// status and pids through a fresh connection (the instance's own ends at the exec), and
// a wrapper binary that acts during the handover.
#pragma once

#include <sys/stat.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "tests/integration/cgroups/cgroup_env.h"  // slurp, and the cgroup helpers
#include "tests/support/arbord_instance.h"
#include "tests/support/proc.h"

namespace arbor::testing {

using nlohmann::json;

inline void write_file(const std::string& path, const std::string& text, bool executable = false) {
  std::ofstream(path) << text;
  if (executable) ::chmod(path.c_str(), 0755);
}

// A shell worker that appends the name of every signal it gets to `signals` (its `sleep`
// children are in its group too: a group signal would show). `extra` runs each round. An
// empty id: a template.
inline json trapping(const std::string& id, const std::string& signals, const std::string& extra = "") {
  const std::string script = "for s in HUP INT QUIT USR1 USR2 TERM CONT ALRM; do trap \"echo $s >> " +
                             signals + "\" $s; done; i=0; while :; do i=$((i+1)); " + extra +
                             " sleep 0.02; done";
  // They ignore TERM (trapped), so the end of a test kills them at once.
  json spec = {{"command", {"/bin/sh", "-c", script}}, {"shutdown", "brutal_kill"}};
  if (!id.empty()) spec["id"] = id;
  return spec;
}

// `status` over a new connection (the whole reply's result), or null.
inline json status_of(const std::string& socket) {
  Control c;
  if (!c.connect(socket)) return nullptr;
  auto reply = c.call("status", {{"path", "/"}});
  return reply && reply->value("ok", false) ? (*reply)["result"] : json(nullptr);
}

// path -> pid of every running or starting worker.
inline std::map<std::string, int> worker_pids(const json& node) {
  std::map<std::string, int> out;
  if (node.is_null()) return out;
  if (node.value("type", "") == "worker" && node["pid"].is_number())
    out[node["path"]] = node["pid"].get<int>();
  for (const auto& c : node.value("children", json::array())) out.merge(worker_pids(c));
  return out;
}

// Waits until the node at `path` has state `state` (polling status; bounded).
inline bool await_state(const std::string& socket, const std::string& path, const std::string& state,
                        std::chrono::milliseconds timeout = 10s) {
  return poll_until(
      [&] {
        const json s = status_of(socket);
        const json* n = s.is_null() ? nullptr : find_node(s, path);
        return n != nullptr && n->value("state", "") == state;
      },
      timeout);
}

}  // namespace arbor::testing
