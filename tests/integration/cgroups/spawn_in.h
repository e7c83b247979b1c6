// Spawns a program straight into the cgroup of a CgroupTree node, output discarded, as the
// process runner does (clone3 into the cgroup): the cgroup tests' child.
#pragma once

#include <unistd.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "daemon/host/cgroup_tree.h"
#include "daemon/host/exec_env.h"
#include "daemon/host/spawn.h"

namespace arbor::testing {

// The pid (the caller reaps it); a failure is a test failure.
inline pid_t spawn_in(host::CgroupTree& tree, const std::string& path, std::vector<std::string> argv) {
  using namespace host;
  std::string error;
  const auto dir = tree.ensure(path, error);
  EXPECT_TRUE(dir) << error;
  if (!dir) return -1;
  const CStringArray args(std::move(argv));
  const CStringArray env(std::vector<std::string>{});
  SpawnPlan plan;
  plan.argv = &args;
  plan.envp = &env;
  plan.out.kind = ChildOutput::Kind::null;
  plan.err.kind = ChildOutput::Kind::null;
  plan.cgroup_dir = &*dir;
  const SpawnResult r = spawn_process(plan);
  EXPECT_TRUE(r.ok()) << r.error;
  if (r.pidfd >= 0) close(r.pidfd);
  return r.pid;
}

}  // namespace arbor::testing
