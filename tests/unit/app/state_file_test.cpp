// The state file on disk: atomic replacement (the old text or the new, never a mix), what a
// failed write leaves, and bad files moved aside. Failures are injected through the host's
// Sys seam (daemon/host/sys.h): a fake that forwards every call but the ones it breaks.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "daemon/app/state_file.h"
#include "daemon/host/atomic_file.h"
#include "daemon/host/sys.h"

namespace arbor::app {
namespace {

using Paths = std::vector<std::string>;

class FaultSys : public host::Sys {
 public:
  int open_errno = 0;    // opening a file for writing fails with this (EACCES)
  long file_room = -1;   // >= 0: writes to regular files take this many bytes, then ENOSPC
  int fsync_errno = 0;   // fsync fails with this (EIO)
  int rename_errno = 0;  // rename fails with this
  int fsyncs = 0;

  int open(const char* path, int flags, mode_t mode) override {
    if (open_errno != 0 && (flags & O_WRONLY) != 0) {
      errno = open_errno;
      return -1;
    }
    return Sys::open(path, flags, mode);
  }
  ssize_t write(int fd, const void* buf, std::size_t size) override {
    if (file_room < 0) return Sys::write(fd, buf, size);
    if (file_room == 0) {
      errno = ENOSPC;
      return -1;
    }
    const auto n = Sys::write(fd, buf, std::min(size, static_cast<std::size_t>(file_room)));
    if (n > 0) file_room -= n;
    return n;
  }
  int fsync(int fd) override {
    ++fsyncs;
    if (fsync_errno == 0) return Sys::fsync(fd);
    errno = fsync_errno;
    return -1;
  }
  int rename(const char* from, const char* to) override {
    if (rename_errno == 0) return Sys::rename(from, to);
    errno = rename_errno;
    return -1;
  }
};

class StateFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/arbor-state-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/arbord.state";
  }
  void TearDown() override {
    for (const char* suffix : {"", ".tmp", ".bad"}) ::unlink((path_ + suffix).c_str());
    ::rmdir(dir_.c_str());
  }
  static std::string read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  static bool exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
  }
  void write(const std::string& text) const { std::ofstream(path_) << text; }

  std::string dir_;
  std::string path_;
  FaultSys sys_;
};

TEST_F(StateFileTest, SaveThenLoad) {
  StateFile file(path_, sys_);
  EXPECT_EQ(file.load(), Paths{}) << "no file: nothing stopped";
  ASSERT_TRUE(file.save({"web/api", "db"}));
  EXPECT_EQ(read(path_), "{\"version\":1,\"operator_stopped\":[\"web/api\",\"db\"]}\n");
  EXPECT_EQ(sys_.fsyncs, 2) << "the file, then its directory";
  EXPECT_FALSE(exists(path_ + ".tmp"));
  EXPECT_EQ(StateFile(path_, sys_).load(), (Paths{"web/api", "db"}));
  EXPECT_TRUE(file.error().empty());
}

TEST_F(StateFileTest, AFullDiskLeavesTheOldFileWhole) {
  StateFile file(path_, sys_);
  ASSERT_TRUE(file.save({"a"}));
  sys_.file_room = 10;  // the new text is cut after 10 bytes, then ENOSPC
  EXPECT_FALSE(file.save({"a", "b"}));
  EXPECT_EQ(read(path_), "{\"version\":1,\"operator_stopped\":[\"a\"]}\n") << "old text, whole";
  EXPECT_FALSE(exists(path_ + ".tmp")) << "the partial temp file is removed";
  EXPECT_EQ(file.error(), "the state file " + path_ + " could not be written (write " + path_ +
                              ".tmp: No space left on device): operator stops since then will not survive a "
                              "restart of arbord");
  sys_.file_room = -1;
  EXPECT_TRUE(file.save({"a", "b"})) << "the next change writes it again";
  EXPECT_TRUE(file.error().empty());
  EXPECT_EQ(StateFile(path_, sys_).load(), (Paths{"a", "b"}));
}

TEST_F(StateFileTest, EaccesFsyncAndRenameFailuresNameTheStepAndTheFile) {
  StateFile file(path_, sys_);
  ASSERT_TRUE(file.save({"a"}));
  sys_.open_errno = EACCES;
  EXPECT_FALSE(file.save({"b"}));
  EXPECT_NE(file.error().find("open " + path_ + ".tmp: Permission denied"), std::string::npos)
      << file.error();
  sys_.open_errno = 0;
  sys_.fsync_errno = EIO;
  EXPECT_FALSE(file.save({"b"}));
  EXPECT_NE(file.error().find("fsync " + path_ + ".tmp: Input/output error"), std::string::npos)
      << file.error();
  sys_.fsync_errno = 0;
  sys_.rename_errno = EXDEV;
  EXPECT_FALSE(file.save({"b"}));
  EXPECT_NE(file.error().find("rename " + path_ + ".tmp to " + path_ + ": Invalid cross-device link"),
            std::string::npos)
      << file.error();
  EXPECT_EQ(StateFile(path_, sys_).load(), Paths{"a"}) << "every failure left the old file";
  EXPECT_FALSE(exists(path_ + ".tmp"));
}

TEST_F(StateFileTest, ABadFileIsMovedAsideAndNothingIsRestored) {
  for (const std::string& text : {std::string("{\"version\":1,\"operator_stopped\":[\"a\""),
                                  std::string("{\"version\":2,\"operator_stopped\":[\"a\"]}"),
                                  std::string("{\"version\":1,\"operator_stopped\":[\"a\",7]}")}) {
    write(text);
    EXPECT_EQ(StateFile(path_, sys_).load(), Paths{}) << text;
    EXPECT_FALSE(exists(path_)) << text;
    EXPECT_EQ(read(path_ + ".bad"), text) << "kept for the operator to read";
  }
}

TEST_F(StateFileTest, AnUnreadableFileRestoresNothingAndStaysWhereItIs) {
  ASSERT_EQ(::mkdir(path_.c_str(), 0700), 0);  // a directory: read() gives EISDIR
  EXPECT_EQ(StateFile(path_, sys_).load(), Paths{});
  EXPECT_TRUE(exists(path_));
  ::rmdir(path_.c_str());
}

TEST_F(StateFileTest, ReadWholeFileRefusesMoreThanItsLimit) {
  write(std::string(100, 'x'));
  int err = 0;
  EXPECT_FALSE(host::read_whole_file(sys_, path_, 99, err));
  EXPECT_EQ(err, EFBIG);
  EXPECT_EQ(host::read_whole_file(sys_, path_, 100, err).value_or(""), std::string(100, 'x'));
  EXPECT_FALSE(host::read_whole_file(sys_, dir_ + "/none", 100, err));
  EXPECT_EQ(err, ENOENT);
}

}  // namespace
}  // namespace arbor::app
