// Limits whose controller arbord cannot use (SPEC §7): a warning at --check and at start,
// an error (exit 2) with "cgroups": "required". A machine without the controller (this
// one's v2 has none), a container, or a unit without Delegate= are the usual causes.
#pragma once

#include <string>
#include <vector>

#include "config/load.h"
#include "config/tree_spec.h"
#include "daemon/host/sys.h"

namespace arbor::host {

// The controllers arbord's own cgroup offers its children (cgroup.controllers), and where
// that was read (for the messages). `found` is false without a usable cgroup v2.
struct OfferedControllers {
  bool found = false;
  std::string cgroup;  // absolute directory
  std::vector<std::string> names;
};
OfferedControllers offered_controllers(Sys& sys = Sys::real());

// One diagnostic per limit in `tree` whose controller is not offered, at the limit's JSON
// path ("/root/children/0/limits/memory_max: needs the memory controller, which …").
std::vector<config::Diagnostic> unavailable_limits(const config::TreeSpec& tree,
                                                   const OfferedControllers& offered);

}  // namespace arbor::host
