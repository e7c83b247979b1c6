// The host's failure paths, through the system-call seam (daemon/host/sys.h): a fake Sys
// that forwards every call to the kernel but the ones a test breaks. Real processes, a
// real loop; only the failures are injected.
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <string>

#include "daemon/host/cgroup_tree.h"
#include "daemon/host/sys.h"
#include "tests/integration/cgroups/cgroup_env.h"
#include "tests/unit/host/host_fixture.h"

namespace arbor::host::testing {
namespace {

using Kind = Event::Kind;

class FaultSys : public Sys {
 public:
  int pidfd_open_errno = 0;  // pidfd_open fails with this
  int pipe2_failures = 0;    // the next N pipe2 calls fail with EMFILE
  int write_errno = 0;       // every write fails with this
  int eagain_every = 0;      // every Nth read of a pipe returns EAGAIN
  long file_room = -1;       // >= 0: regular files take this many more bytes, then ENOSPC
  int mkdir_errno = 0;       // mkdir of a path that contains mkdir_fails fails with this
  std::string mkdir_fails;
  int pipe2_calls = 0;
  int eagains = 0;

  int mkdir(const char* path, mode_t mode) override {
    if (mkdir_errno == 0 || std::string_view(path).find(mkdir_fails) == std::string_view::npos) {
      return Sys::mkdir(path, mode);
    }
    errno = mkdir_errno;
    return -1;
  }

  int pidfd_open(pid_t pid) override {
    if (pidfd_open_errno == 0) return Sys::pidfd_open(pid);
    errno = pidfd_open_errno;
    return -1;
  }
  int pipe2(int fds[2], int flags) override {
    ++pipe2_calls;
    if (pipe2_failures == 0) return Sys::pipe2(fds, flags);
    --pipe2_failures;
    errno = EMFILE;
    return -1;
  }
  ssize_t write(int fd, const void* buf, std::size_t size) override {
    struct stat st {};
    if (file_room >= 0 && ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
      if (file_room == 0) {
        errno = ENOSPC;
        return -1;
      }
      const auto n = Sys::write(fd, buf, std::min(size, static_cast<std::size_t>(file_room)));
      if (n > 0) file_room -= n;
      return n;
    }
    if (write_errno == 0) return Sys::write(fd, buf, size);
    errno = write_errno;
    return -1;
  }
  ssize_t read(int fd, void* buf, std::size_t size) override {
    struct stat st {};
    if (eagain_every > 0 && ::fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode) && ++reads_ % eagain_every == 0) {
      ++eagains;
      errno = EAGAIN;
      return -1;
    }
    return Sys::read(fd, buf, size);
  }

 private:
  int reads_ = 0;
};

class SysFaultTest : public HostTest {
 protected:
  void SetUp() override {
    sys_ = &fake_;
    HostTest::SetUp();
  }
  FaultSys fake_;
};

TEST_F(SysFaultTest, PidfdOpenFailureIsStartFailedNamingTheStage) {
  fake_.pidfd_open_errno = ENOSYS;
  spawn(1, child({}));
  const Event* end = wait_end(1);
  ASSERT_NE(end, nullptr);
  EXPECT_EQ(end->kind, Kind::start_failed);
  EXPECT_EQ(end->text, "pidfd: Function not implemented");
  EXPECT_EQ(find(Kind::spawned, 1), nullptr);
  EXPECT_EQ(runner_->live(), 0u);
  // The child it could not watch was killed and reaped, not left behind.
  siginfo_t info{};
  EXPECT_EQ(waitid(P_ALL, 0, &info, WEXITED | WNOHANG | __WALL), -1);
  EXPECT_EQ(errno, ECHILD);
}

TEST_F(SysFaultTest, EmfileOnTheLogPipeIsStartFailedAndTheRunnerGoesOn) {
  fake_.pipe2_failures = 1;
  spawn(1, child({"--print", "hello"}));
  const Event* failed = wait_end(1);
  ASSERT_NE(failed, nullptr);
  EXPECT_EQ(failed->kind, Kind::start_failed);
  EXPECT_EQ(failed->text, "pipe: Too many open files");
  EXPECT_EQ(fake_.pipe2_calls, 1);
  spawn(2, child({"--print", "again", "--after", "0"}));
  const Event* end = wait_end(2);
  ASSERT_NE(end, nullptr);
  EXPECT_EQ(end->kind, Kind::exited);
  EXPECT_EQ(log_lines("w"), (std::vector<std::string>{"again"}));
}

TEST_F(SysFaultTest, EnospcOnALogWriteIsDroppedAndCounted) {
  fake_.write_errno = ENOSPC;
  spawn(1, child({"--lines", "10", "--line-bytes", "9", "--after", "0"}));  // 10 lines of 10 bytes
  const Event* end = wait_end(1);
  ASSERT_NE(end, nullptr);
  EXPECT_EQ(end->kind, Kind::exited);
  EXPECT_TRUE(log_lines("w").empty());
  // The count is reported with the next write that succeeds.
  fake_.write_errno = 0;
  spawn(2, child({"--print", "after the disk recovered", "--after", "0"}));
  ASSERT_NE(wait_end(2), nullptr);
  const Event* dropped = wait_for(Kind::log_dropped, 0);
  ASSERT_NE(dropped, nullptr);
  EXPECT_EQ(dropped->text, "w");
  EXPECT_EQ(dropped->bytes, 100u);
  EXPECT_EQ(log_lines("w"), (std::vector<std::string>{"after the disk recovered"}));
}

// The disk fills up in the middle of a line: the half line is cut off and counted, so the
// next line written after the disk recovers is not glued to it.
TEST_F(SysFaultTest, ADiskFullInTheMiddleOfALineLeavesNoHalfLine) {
  fake_.file_room = 25;  // two lines of 10 bytes and half of the third
  spawn(1, child({"--lines", "10", "--line-bytes", "9", "--after", "0"}));
  ASSERT_NE(wait_end(1), nullptr);
  fake_.file_room = -1;
  spawn(2, child({"--print", "after the disk recovered", "--after", "0"}));
  ASSERT_NE(wait_end(2), nullptr);
  const Event* dropped = wait_for(Kind::log_dropped, 0);
  ASSERT_NE(dropped, nullptr);
  EXPECT_EQ(dropped->bytes, 80u);  // the half line counts with the seven lines never written
  const auto lines = log_lines("w");
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].size(), 9u);
  EXPECT_EQ(lines[1].size(), 9u);
  EXPECT_EQ(lines[2], "after the disk recovered");
}

TEST_F(SysFaultTest, EagainOnAPipeReadLosesNothing) {
  fake_.eagain_every = 2;
  spawn(1, child({"--lines", "3000", "--line-bytes", "100", "--after", "0"}));
  const Event* end = wait_end(1);
  ASSERT_NE(end, nullptr);
  EXPECT_EQ(end->kind, Kind::exited);
  // A spurious EAGAIN leaves the data in the pipe, to be read at the next readiness.
  std::vector<std::string> lines;
  EXPECT_TRUE(run_until([&] { return (lines = log_lines("w")).size() >= 3000; }));
  ASSERT_EQ(lines.size(), 3000u);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    ASSERT_EQ(lines[i].rfind("L" + std::to_string(i) + ":", 0), 0u) << i;
    ASSERT_EQ(lines[i].size(), 100u) << i;
  }
  EXPECT_GT(fake_.eagains, 0);
}

// A worker's cgroup that cannot be made (EACCES: the delegation was taken away; ENOSPC:
// the kernel's cgroup.max.descendants, or its memory) is start_failed naming the
// directory and why; the runner and the workers beside it go on, in cgroups of their own.
TEST_F(SysFaultTest, ACgroupThatCannotBeMadeIsStartFailedAndTheOthersGoOn) {
  SKIP_WITHOUT_CGROUPS();
  std::string why;
  auto tree = CgroupTree::create(fake_, nullptr, why);
  ASSERT_TRUE(tree) << why;
  cgroups_ = tree.get();
  make_runner();
  const struct {
    int err;
    std::string path;
    std::string text;
  } faults[] = {{EACCES, "denied", "Permission denied"}, {ENOSPC, "full", "No space left on device"}};
  std::uint64_t token = 0;
  for (const auto& f : faults) {
    fake_.mkdir_errno = f.err;
    fake_.mkdir_fails = "/c-" + f.path;
    spawn(++token, child({}), f.path);
    const Event* failed = wait_end(token);
    ASSERT_NE(failed, nullptr);
    EXPECT_EQ(failed->kind, Kind::start_failed);
    EXPECT_EQ(failed->text, "cgroup: mkdir " + tree->absolute(f.path) + ": " + f.text);
    EXPECT_EQ(find(Kind::spawned, token), nullptr);
  }
  // Twice, so the restart path (the cgroup kept) is crossed too.
  for (int i = 0; i < 2; ++i) {
    spawn(++token, child({"--print", "fine", "--after", "0"}), "fine");
    const Event* end = wait_end(token);
    ASSERT_NE(end, nullptr);
    EXPECT_EQ(end->kind, Kind::exited);
  }
  EXPECT_EQ(log_lines("fine"), (std::vector<std::string>{"fine", "fine"}));
  EXPECT_EQ(runner_->live(), 0u);
  runner_->close();  // before the tree goes; its handles are closed by the loop
  uv_run(&loop_, UV_RUN_DEFAULT);
  runner_.reset();
  cgroups_ = nullptr;
  EXPECT_TRUE(tree->close());
}

}  // namespace
}  // namespace arbor::host::testing
