// CgroupTree and spawning into a cgroup, on the real kernel: the layout and its names, a
// child born inside its cgroup (clone3, and the fallback without it), removal, and the
// clean-up of what a dead arbord left.
#include "daemon/host/cgroup_tree.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "daemon/host/cgroup_drain.h"
#include "daemon/host/clone_into_cgroup.h"
#include "daemon/host/exec_env.h"
#include "daemon/host/spawn.h"
#include "tests/integration/cgroups/cgroup_env.h"
#include "tests/integration/cgroups/spawn_in.h"
#include "tests/support/proc.h"

namespace arbor::host {
namespace {

using testing::cgroup_of;
using testing::procs_of;
using testing::slurp;
using testing::v2_mount;

// The test process is moved into the instance's leaf by create(), and back by close().
class CgroupTreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SKIP_WITHOUT_CGROUPS();
    start_ = cgroup_of(getpid());
    std::string why;
    tree_ = CgroupTree::create(Sys::real(), nullptr, why);
    ASSERT_TRUE(tree_) << why;
  }
  void TearDown() override {
    if (!tree_) return;
    const std::string instance = tree_->instance();
    EXPECT_TRUE(tree_->close());
    EXPECT_FALSE(std::filesystem::exists(instance));
    EXPECT_EQ(cgroup_of(getpid()), start_);
  }

  // Spawns `argv` into the cgroup of `path`; returns the pid (the caller reaps it).
  pid_t spawn_in(const std::string& path, std::vector<std::string> argv) {
    return testing::spawn_in(*tree_, path, std::move(argv));
  }

  void kill_and_reap(pid_t pid) {
    ::kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }

  std::string start_;
  std::unique_ptr<CgroupTree> tree_;
};

TEST_F(CgroupTreeTest, ArbordLivesInALeafOfItsOwn) {
  EXPECT_EQ(v2_mount() + cgroup_of(getpid()), tree_->instance() + "/daemon");
  EXPECT_TRUE(std::filesystem::is_directory(tree_->instance() + "/tree"));
}

TEST_F(CgroupTreeTest, NamesCannotCollideWithInterfaceFiles) {
  EXPECT_EQ(tree_->absolute("/"), tree_->instance() + "/tree");
  EXPECT_EQ(tree_->absolute("web/api"), tree_->instance() + "/tree/c-web/c-api");
  // "cgroup.procs" as an id: a directory of its own, not the interface file.
  std::string error;
  const auto dir = tree_->ensure("cgroup.procs/cpu.max", error);
  ASSERT_TRUE(dir) << error;
  EXPECT_TRUE(std::filesystem::is_directory(*dir));
  EXPECT_TRUE(std::filesystem::exists(*dir + "/cgroup.events"));
  tree_->remove("cgroup.procs");
  EXPECT_FALSE(std::filesystem::exists(tree_->absolute("cgroup.procs")));
}

TEST_F(CgroupTreeTest, TheChildIsBornInItsCgroup) {
  const pid_t pid = spawn_in("sup/w", {"/bin/sleep", "100"});
  ASSERT_GT(pid, 0);
  EXPECT_EQ(v2_mount() + cgroup_of(pid), tree_->absolute("sup/w"));
  EXPECT_EQ(procs_of(tree_->absolute("sup/w")), std::vector<int>{pid});
  kill_and_reap(pid);
  tree_->remove("sup");
  EXPECT_FALSE(std::filesystem::exists(tree_->absolute("sup")));
}

TEST_F(CgroupTreeTest, WithoutClone3TheChildJoinsItsCgroupBeforeExec) {
  disable_clone3_for_testing();
  const pid_t pid = spawn_in("w", {"/bin/sleep", "100"});
  ASSERT_GT(pid, 0);
  EXPECT_EQ(v2_mount() + cgroup_of(pid), tree_->absolute("w"));
  kill_and_reap(pid);
}

TEST_F(CgroupTreeTest, ASpawnIntoAMissingCgroupFails) {
  const std::string gone = tree_->instance() + "/tree/c-nothing";
  const CStringArray args(std::vector<std::string>{"/bin/true"});
  const CStringArray env(std::vector<std::string>{});
  SpawnPlan plan;
  plan.argv = &args;
  plan.envp = &env;
  plan.cgroup_dir = &gone;
  const SpawnResult r = spawn_process(plan);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.error, "cgroup: No such file or directory");
}

TEST_F(CgroupTreeTest, CleanUpKillsAndRemovesADeadArbordsInstance) {
  // A fake "previous arbord": an instance dir of its own, with a process in a leaf. Under a
  // parent of its own: beside our instance, another test's tree, made in parallel, would
  // sweep it as a dead arbord's first.
  const std::string parent = tree_->instance() + "/../arbor-test-" + std::to_string(getpid());
  const std::string old = parent + "/arbord-999999999";
  std::filesystem::create_directories(old + "/tree/c-w");
  const std::string leaf = old + "/tree/c-w";
  const pid_t pid = fork();
  if (pid == 0) {
    std::ofstream(leaf + "/cgroup.procs") << "0";
    pause();
    _exit(0);
  }
  ASSERT_GT(pid, 0);
  ASSERT_TRUE(testing::poll_until([&] { return procs_of(leaf).size() == 1; }, std::chrono::seconds(5)));
  EXPECT_EQ(CgroupTree::clean_up(std::filesystem::weakly_canonical(old).string(), Sys::real()), 1);
  int status = 0;
  EXPECT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  EXPECT_FALSE(std::filesystem::exists(old));
  std::filesystem::remove(parent);
}

TEST_F(CgroupTreeTest, CleanUpRefusesWhatIsNoArbordInstance) {
  EXPECT_EQ(CgroupTree::clean_up("/tmp", Sys::real()), 0);
  EXPECT_EQ(CgroupTree::clean_up(tree_->instance() + "/tree", Sys::real()), 0);
  EXPECT_TRUE(std::filesystem::exists(tree_->instance() + "/tree"));
}

// A cgroup tree arbord may not write (an unprivileged container's read-only cgroupfs).
class ReadOnlyCgroups : public Sys {
 public:
  int mkdir(const char* path, mode_t mode) override {
    if (std::string(path).find("/arbord-") != std::string::npos) {
      errno = EROFS;
      return -1;
    }
    return Sys::mkdir(path, mode);
  }
};

TEST(CgroupTreeCreate, SaysWhyItCannot) {
  SKIP_WITHOUT_CGROUPS();
  ReadOnlyCgroups sys;
  std::string why;
  EXPECT_FALSE(CgroupTree::create(sys, nullptr, why));
  EXPECT_NE(why.find("cannot create "), std::string::npos) << why;
  EXPECT_NE(why.find("/arbord-" + std::to_string(getpid()) + ": Read-only file system"), std::string::npos)
      << why;
}

// A SIGKILLed arbord whose socket no arbord used again leaves its instance: the next
// arbord in the same cgroup removes it when it is empty.
TEST(CgroupTreeCreate, RemovesEmptyInstancesOfDeadArbords) {
  SKIP_WITHOUT_CGROUPS();
  const auto own = own_cgroup(slurp("/proc/self/cgroup"));
  const std::string stale = v2_mount() + (*own == "/" ? "" : *own) + "/arbord-999999998";
  std::filesystem::create_directories(stale + "/tree/c-x");
  std::string why;
  auto tree = CgroupTree::create(Sys::real(), nullptr, why);
  ASSERT_TRUE(tree) << why;
  EXPECT_FALSE(std::filesystem::exists(stale));
  EXPECT_TRUE(tree->close());
}

// A process in `dir` with a child in another session (what a daemonizing worker leaves).
pid_t start_family(const std::string& dir) {
  const pid_t pid = fork();
  if (pid == 0) {
    std::ofstream(dir + "/cgroup.procs") << "0";
    if (fork() == 0) {
      setsid();
      for (;;) pause();
    }
    for (;;) pause();
  }
  return pid;
}

void drain_with(CgroupTree& tree, bool has_kill) {
  std::string error;
  const auto dir = tree.ensure(has_kill ? "with_kill" : "without_kill", error);
  ASSERT_TRUE(dir) << error;
  const pid_t pid = start_family(*dir);
  ASSERT_TRUE(testing::poll_until([&] { return procs_of(*dir).size() == 2; }, std::chrono::seconds(5)));
  uv_loop_t loop;
  uv_loop_init(&loop);
  {
    CgroupDrain drain(&loop, Sys::real(), has_kill);
    bool empty = false;
    drain.kill(*dir);
    drain.when_empty(1, *dir, [&] { empty = true; });
    // Ends when the wait ends: the inotify poll is referenced only while it waits.
    uv_run(&loop, UV_RUN_DEFAULT);
    EXPECT_TRUE(empty);
    EXPECT_TRUE(procs_of(*dir).empty());
    EXPECT_EQ(drain.waiting(), 0u);
    drain.close();
  }
  uv_run(&loop, UV_RUN_NOWAIT);
  EXPECT_EQ(uv_loop_close(&loop), 0);
  waitpid(pid, nullptr, 0);
  // Thawed: the cgroup is reused by the worker's next start.
  if (std::filesystem::exists(*dir + "/cgroup.freeze")) {
    EXPECT_EQ(slurp(*dir + "/cgroup.freeze"), "0\n");
  }
}

TEST_F(CgroupTreeTest, DrainKillsAFamilyWithCgroupKill) { drain_with(*tree_, true); }

TEST_F(CgroupTreeTest, DrainKillsAFamilyByFreezingWithoutCgroupKill) { drain_with(*tree_, false); }

}  // namespace
}  // namespace arbor::host
