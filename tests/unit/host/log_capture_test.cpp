// Output capture to <log_dir>/<path>.log, rotation, and the other output kinds.
#include <sys/stat.h>
#include <unistd.h>

#include <fcntl.h>

#include <filesystem>
#include <fstream>

#include "tests/unit/host/host_fixture.h"

namespace arbor::host::testing {
namespace {

using Kind = Event::Kind;
using Lines = std::vector<std::string>;

TEST_F(HostTest, StdoutAndStderrLinesLandInOneFile) {
  spawn(1, child({"--print", "out one", "--stderr", "err one", "--print", "out two", "--after", "0"}), "web/api");
  ASSERT_NE(wait_end(1), nullptr);
  // Everything is in the file by the time exited is reported.
  EXPECT_EQ(log_lines("web/api"), (Lines{"out one", "err one", "out two"}));
}

TEST_F(HostTest, PartialLineAtEofGetsANewline) {
  spawn(1, child({"--print", "whole", "--partial", "tail", "--after", "0"}));
  ASSERT_NE(wait_end(1), nullptr);
  EXPECT_EQ(read_file(log_path("w")), "whole\ntail\n");
}

TEST_F(HostTest, LongLineIsWrittenInPiecesOf64KiB) {
  spawn(1, child({"--line-bytes", "150000", "--lines", "1", "--print", "next", "--after", "0"}));
  ASSERT_NE(wait_end(1), nullptr);
  const Lines lines = log_lines("w");
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0].size(), 65536u);
  EXPECT_EQ(lines[1].size(), 65536u);
  EXPECT_EQ(lines[2].size(), 150000u - 2 * 65536u);
  EXPECT_EQ(lines[3], "next");
}

TEST_F(HostTest, LineOfExactly64KiBStaysOneLine) {
  spawn(1, child({"--line-bytes", "65536", "--lines", "1", "--after", "0"}));
  ASSERT_NE(wait_end(1), nullptr);
  const Lines lines = log_lines("w");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].size(), 65536u);
}

TEST_F(HostTest, ManyLinesFastAreAllCaptured) {
  spawn(1, child({"--line-bytes", "100", "--lines", "20000", "--after", "0"}));
  ASSERT_NE(wait_end(1), nullptr);
  const Lines lines = log_lines("w");
  ASSERT_EQ(lines.size(), 20000u);
  EXPECT_EQ(lines.back().substr(0, 7), "L19999:");
}

TEST_F(HostTest, RotationKeepsTwoGenerations) {
  make_runner(config::LogsSpec{1000, 2});
  // 100 lines of 100 bytes: 10 kB through a 1000-byte limit.
  spawn(1, child({"--line-bytes", "99", "--lines", "100", "--after", "0"}));
  ASSERT_NE(wait_end(1), nullptr);
  const std::string base = log_path("w");
  for (const std::string& p : {base, base + ".1", base + ".2"}) {
    ASSERT_TRUE(std::filesystem::exists(p)) << p;
    EXPECT_LE(std::filesystem::file_size(p), 1000u) << p;
  }
  EXPECT_FALSE(std::filesystem::exists(base + ".3"));
  EXPECT_EQ(log_lines("w").back().substr(0, 4), "L99:");
  EXPECT_EQ(read_file(base).size() % 100, 0u) << "rotation split a line";
}

TEST_F(HostTest, RotationWithKeepZeroTruncates) {
  make_runner(config::LogsSpec{1000, 0});
  spawn(1, child({"--line-bytes", "99", "--lines", "25", "--after", "0"}));
  ASSERT_NE(wait_end(1), nullptr);
  EXPECT_FALSE(std::filesystem::exists(log_path("w") + ".1"));
  EXPECT_EQ(log_lines("w").front().substr(0, 4), "L20:");
}

TEST_F(HostTest, NullAndFileOutputs) {
  auto spec = child({"--print", "hidden", "--stderr", "visible", "--after", "0"});
  spec.stdout_spec.kind = config::Output::Kind::null;
  spec.stderr_spec = {config::Output::Kind::file, dir_ + "/err.txt"};
  spec.umask = 027;
  spawn(1, spec);
  ASSERT_NE(wait_end(1), nullptr);
  EXPECT_EQ(read_file(dir_ + "/err.txt"), "visible\n");
  EXPECT_FALSE(std::filesystem::exists(log_path("w"))) << "nothing is logged, so no log file";
  struct stat st {};
  ASSERT_EQ(stat((dir_ + "/err.txt").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);  // 0644 under the worker's umask
}

TEST_F(HostTest, SameFileForBothStreamsKeepsOrder) {
  auto spec = child({"--print", "a", "--stderr", "b", "--print", "c", "--after", "0"});
  spec.stdout_spec = {config::Output::Kind::file, "out.txt"};  // relative to cwd
  spec.stderr_spec = spec.stdout_spec;
  spec.cwd = dir_;
  spawn(1, spec);
  ASSERT_NE(wait_end(1), nullptr);
  EXPECT_EQ(read_file(dir_ + "/out.txt"), "a\nb\nc\n");
}

TEST_F(HostTest, UnopenableOutputFileFailsTheStart) {
  auto spec = child({});
  spec.stdout_spec = {config::Output::Kind::file, dir_ + "/missing/out.txt"};
  spawn(1, spec);
  const Event* end = wait_end(1);
  ASSERT_NE(end, nullptr);
  EXPECT_EQ(end->text, "open stdout: No such file or directory");
}

TEST_F(HostTest, UnwritableLogDirFailsTheStart) {
  std::ofstream(dir_ + "/logs") << "a file, not a directory";
  spawn(1, child({}));
  const Event* end = wait_end(1);
  ASSERT_NE(end, nullptr);
  EXPECT_EQ(end->text, "open log: Not a directory");
}

TEST_F(HostTest, FailedWritesAreDroppedCountedAndReported) {
  std::filesystem::create_directories(dir_ + "/logs");
  std::filesystem::create_symlink("/dev/full", log_path("w"));  // every write: ENOSPC
  spawn(1, child({"--line-bytes", "9", "--lines", "10", "--after", "0"}));
  ASSERT_NE(wait_end(1), nullptr);
  ASSERT_TRUE(run_until([&] {
    for (const auto& e : events_) if (e.kind == Kind::log_dropped) return true;
    return false;
  }));
  std::uint64_t total = 0;
  for (const auto& e : events_) {
    if (e.kind != Kind::log_dropped) continue;
    EXPECT_EQ(e.text, "w");
    total += e.bytes;
  }
  EXPECT_EQ(total, 100u);
}

TEST_F(HostTest, InheritKeepsTheParentsDescriptor) {
  // Point our own fd 1 at a file for the duration, then check the worker wrote there.
  const std::string path = dir_ + "/inherited.txt";
  const int saved = dup(1);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0);
  dup2(fd, 1);
  ::close(fd);
  auto spec = child({"--print", "to inherited stdout", "--after", "0"});
  spec.stdout_spec.kind = config::Output::Kind::inherit;
  spawn(1, spec);
  const Event* end = wait_end(1);
  dup2(saved, 1);
  ::close(saved);
  ASSERT_NE(end, nullptr);
  EXPECT_EQ(read_file(path), "to inherited stdout\n");
}

}  // namespace
}  // namespace arbor::host::testing
