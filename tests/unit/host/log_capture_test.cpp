// Output capture to <log_dir>/<path>.log, rotation, and the other output kinds.
#include <sys/stat.h>
#include <unistd.h>

#include <fcntl.h>

#include <filesystem>
#include <fstream>

#include "daemon/host/log_file.h"
#include "tests/unit/host/host_fixture.h"

namespace arbor::host::testing {
namespace {

using Kind = Event::Kind;
using Lines = std::vector<std::string>;

TEST_F(HostTest, StdoutAndStderrLinesLandInOneFile) {
  spawn(1, child({"--print", "out one", "--stderr", "err one", "--print", "out two", "--after", "0"}),
        "web/api");
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
  EXPECT_EQ(end->text, "open log " + dir_ + "/logs: Not a directory");
}

TEST_F(HostTest, FailedWritesAreDroppedCountedAndReported) {
  std::filesystem::create_directories(dir_ + "/logs");
  std::filesystem::create_symlink("/dev/full", log_path("w"));  // every write: ENOSPC
  spawn(1, child({"--line-bytes", "9", "--lines", "10", "--after", "0"}));
  ASSERT_NE(wait_end(1), nullptr);
  ASSERT_TRUE(run_until([&] {
    for (const auto& e : events_)
      if (e.kind == Kind::log_dropped) return true;
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

std::size_t open_descriptors() {
  std::size_t n = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    (void)entry;
    ++n;
  }
  return n;
}

TEST_F(HostTest, OpenLogsBoundsOpenFilesAndReopensAtTheNextWrite) {
  OpenLogs open_logs(2);
  std::string error;
  std::vector<std::shared_ptr<LogFile>> files;
  for (int i = 0; i < 3; ++i) {
    files.push_back(LogFile::open(&loop_, open_logs, dir_ + "/bounded", "f" + std::to_string(i) + ".log",
                                  config::LogsSpec{}, nullptr, error));
    ASSERT_TRUE(files.back()) << error;
    EXPECT_LE(open_logs.open_count(), 2u);
  }
  for (int round = 0; round < 3; ++round) {
    for (auto& file : files) {
      file->write_lines("r" + std::to_string(round) + "\n");
      EXPECT_LE(open_logs.open_count(), 2u);
    }
  }
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(read_file(dir_ + "/bounded/f" + std::to_string(i) + ".log"), "r0\nr1\nr2\n");
  }
  files.clear();
  EXPECT_EQ(open_logs.open_count(), 0u);
}

TEST_F(HostTest, ALogClosedByTheBoundStillTruncatesAtItsLimit) {
  OpenLogs open_logs(1);
  std::string error;
  auto a = LogFile::open(&loop_, open_logs, dir_, "a.log", config::LogsSpec{10, 0}, nullptr, error);
  ASSERT_TRUE(a) << error;
  a->write_lines("12345678\n");
  auto b = LogFile::open(&loop_, open_logs, dir_, "b.log", config::LogsSpec{}, nullptr, error);  // closes a
  ASSERT_TRUE(b) << error;
  a->write_lines("abcdefgh\n");  // 18 bytes > 10: keep 0 truncates first
  EXPECT_EQ(read_file(dir_ + "/a.log"), "abcdefgh\n");
}

TEST_F(HostTest, CapturedWorkersCostTwoDescriptorsEachBeyondTheOpenLogBound) {
  // 40 workers > the runner's 32 open log files: each costs its pidfd and its pipe.
  // A first spawn reserves what every spawn shares (spawn's slots), and is not counted.
  spawn(100, child({"--after", "0"}), "warmup");
  ASSERT_NE(wait_end(100), nullptr);
  const std::size_t before = open_descriptors();
  constexpr int kWorkers = 40;
  for (int i = 1; i <= kWorkers; ++i)
    spawn(i, child({"--print", "hello " + std::to_string(i)}), "w" + std::to_string(i));
  ASSERT_TRUE(run_until([&] {
    for (int i = 1; i <= kWorkers; ++i) {
      if (read_file(log_path("w" + std::to_string(i))) != "hello " + std::to_string(i) + "\n") return false;
    }
    return true;
  }));
  EXPECT_LE(open_descriptors(), before + 2 * kWorkers + 32);
  for (int i = 1; i <= kWorkers; ++i) runner_->signal(i, SIGTERM);
  for (int i = 1; i <= kWorkers; ++i) ASSERT_NE(wait_end(i), nullptr);
}

}  // namespace
}  // namespace arbor::host::testing
