// arbord where a container leaves it little (docs/CONTAINERS.md, "Unprivileged"): a
// read-only root filesystem with one writable tmpfs, no writable /run, a non-root user.
// The socket and logs go where the config or the defaults say, and where they cannot,
// arbord exits 1 naming the path and the error. A tree whose only significant child runs
// arborctl reports, through auto_shutdown_exit_code "child", whether arborctl reached arbord.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include <gtest/gtest.h>

#include "tests/integration/init/pidns.h"
#include "tests/support/arbord_instance.h"
#include "tests/support/proc.h"

namespace arbor::testing {
namespace {

using nlohmann::json;

constexpr uid_t kNobody = 65534;

// chown, where it is needed (the test runs as root) and possible.
void give(const std::string& file, uid_t owner) {
  if (owner == geteuid()) return;
  if (chown(file.c_str(), owner, owner) != 0)
    ADD_FAILURE() << "chown " << file << ": " << std::strerror(errno);
}

class Unprivileged : public ::testing::Test {
 protected:
  // Searchable by uid 65534, which reads the config in it.
  void SetUp() override { ::chmod(dir.dir().c_str(), 0755); }

  std::string path(const std::string& name) const { return dir.path(name); }

  void write_config(const json& tree) {
    std::ofstream(path("arbor.json")) << tree.dump(2);
    if (geteuid() == 0) give(path("arbor.json"), kNobody);
  }

  std::string mkdir_owned(const std::string& name, uid_t owner) {
    std::string d = path(name);
    ::mkdir(d.c_str(), 0755);
    give(d, owner);
    return d;
  }

  // argv run as uid 65534: through setpriv when the test runs as root, as is otherwise.
  std::vector<std::string> as_nobody(std::vector<std::string> argv) {
    if (geteuid() != 0) return argv;
    std::vector<std::string> out{"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
    out.insert(out.end(), argv.begin(), argv.end());
    return out;
  }

  // Under a new user and mount namespace: a tmpfs on `tmpfs_dir`, then / read-only.
  std::vector<std::string> read_only_root(const std::string& tmpfs_dir) {
    return {"/usr/bin/unshare",
            "--user",
            "--map-root-user",
            "--mount",
            "/bin/sh",
            "-c",
            "mount -t tmpfs tmpfs \"$1\" && mount -o remount,bind,ro / && exec \"$2\" --config \"$3\"",
            "sh",
            tmpfs_dir,
            ARBORD_BIN,
            path("arbor.json")};
  }

  bool can_make_read_only_root() {
    const RunResult r = run({"/usr/bin/unshare", "--user", "--map-root-user", "--mount", "/bin/sh", "-c",
                             "mount -o remount,bind,ro /"});
    skip_reason = "cannot remount / read-only in a user namespace: " + r.err;
    return r.status == 0;
  }

  ArbordInstance dir;  // only for its temporary directory
  std::string skip_reason;
};

// The tree: a sidecar whose output is captured, and the significant job `command`.
json job_tree(json job_command, json top = json::object()) {
  json t = std::move(top);
  t["auto_shutdown_exit_code"] = "child";
  t["root"] = {
      {"auto_shutdown", "any_significant"},
      {"children",
       {child("sidecar", {"--print", "hello"}),
        {{"id", "job"}, {"restart", "temporary"}, {"significant", true}, {"command", job_command}}}}};
  return t;
}

json arborctl_status(const std::string& socket) {
  json argv = {ARBORCTL_BIN};
  if (!socket.empty()) argv.insert(argv.end(), {"--socket", socket});
  argv.insert(argv.end(), {"status", "/"});
  return argv;
}

TEST_F(Unprivileged, ReadOnlyRootWithATmpfsForSocketAndLogs) {
  if (!can_make_read_only_root()) GTEST_SKIP() << skip_reason;
  const std::string state = mkdir_owned("state", geteuid());
  write_config(job_tree(arborctl_status(state + "/arbord.sock"),
                        {{"socket", state + "/arbord.sock"}, {"log_dir", state + "/logs"}}));
  const RunResult r = run(read_only_root(state), 20s);
  EXPECT_EQ(r.status, 0) << r.err;
}

TEST_F(Unprivileged, ReadOnlyRootWithoutASocketKeyNamesTheDefaultPath) {
  if (!can_make_read_only_root()) GTEST_SKIP() << skip_reason;
  const std::string state = mkdir_owned("state", geteuid());
  write_config(job_tree(arborctl_status(""), {{"log_dir", state + "/logs"}}));
  const RunResult r = run(read_only_root(state), 20s);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("cannot create /run/arbor: Read-only file system"), std::string::npos) << r.err;
}

TEST_F(Unprivileged, LogDirOnTheReadOnlyPartFailsTheBootNamingIt) {
  if (!can_make_read_only_root()) GTEST_SKIP() << skip_reason;
  const std::string state = mkdir_owned("state", geteuid());
  write_config(job_tree(arborctl_status(state + "/arbord.sock"),
                        {{"socket", state + "/arbord.sock"}, {"log_dir", path("logs")}}));
  const RunResult r = run(read_only_root(state), 20s);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("sidecar could not start: open log " + path("logs") + ": Read-only file system"),
            std::string::npos)
      << r.err;
}

// A non-root user's socket defaults to $XDG_RUNTIME_DIR/arbor/arbord.sock, where arborctl
// looks for it too.
TEST_F(Unprivileged, NonRootSocketDefaultsToXdgRuntimeDir) {
  const std::string xdg = mkdir_owned("xdg", kNobody);
  const std::string logs = mkdir_owned("logs", kNobody);
  write_config(job_tree(arborctl_status(""), {{"log_dir", logs}}));
  const RunResult r =
      run(as_nobody({ARBORD_BIN, "--config", path("arbor.json")}), 20s, {"XDG_RUNTIME_DIR=" + xdg});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find(xdg + "/arbor/arbord.sock"), std::string::npos) << r.err;
}

TEST_F(Unprivileged, NonRootWithoutRunOrXdgRuntimeDirNamesThePath) {
  const std::string logs = mkdir_owned("logs", kNobody);
  write_config(job_tree(arborctl_status(""), {{"log_dir", logs}}));
  const RunResult r = run(as_nobody({ARBORD_BIN, "--config", path("arbor.json")}), 20s, {"XDG_RUNTIME_DIR="});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("/run/arbor"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("ermission denied"), std::string::npos) << r.err;
}

TEST_F(Unprivileged, UnwritableSocketDirectoryNamesThePathAndTheError) {
  const std::string logs = mkdir_owned("logs", kNobody);
  const std::string ro = mkdir_owned("ro", geteuid());
  ::chmod(ro.c_str(), 0555);
  write_config(
      job_tree(arborctl_status(ro + "/arbord.sock"), {{"socket", ro + "/arbord.sock"}, {"log_dir", logs}}));
  const RunResult r = run(as_nobody({ARBORD_BIN, "--config", path("arbor.json")}), 20s);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("cannot listen on " + ro + "/arbord.sock: permission denied"), std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace arbor::testing
