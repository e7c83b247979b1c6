// arbord short of resources: no file descriptors left, and a full log disk.
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>

#include <gtest/gtest.h>

#include "tests/support/arbord_instance.h"
#include "tests/support/control.h"
#include "tests/support/proc.h"

namespace arbor::testing {
namespace {

using nlohmann::json;

json event(const std::string& type, const std::string& path) { return {{"event", type}, {"path", path}}; }
json exited(const std::string& path, int code) {
  return {{"event", "exited"}, {"path", path}, {"exit", {{"code", code}}}};
}
// A start_failed of `path` whose error names `text`.
auto start_failed(const std::string& path, const std::string& text) {
  return [=](const json& e) {
    return e.value("event", "") == "start_failed" && e.value("path", "") == path &&
           e.value("error", "").find(text) != std::string::npos;
  };
}

// (c) RLIMIT_NOFILE 64 for arbord. Idle control connections (one descriptor each in
// arbord) use up the rest: then the crashing worker's restarts fail with EMFILE
// ("Too many open files"), are counted and retried (its backoff spaces them), the running
// worker is untouched, and an already open control connection keeps answering. When the
// connections close, the next retry succeeds.
TEST(Resources, RunningOutOfDescriptors) {
  ArbordInstance arbord;
  const json config = {
      {"root",
       {{"strategy", "one_for_one"},
        {"max_restarts", 1000},
        {"max_seconds", 10},
        {"children", json::array({child("steady", {"--print", "hello"}),
                                  child("crasher", {"--after", "200", "--exit", "1"},
                                        {{"backoff", {{"initial_ms", 100}, {"max_ms", 200}}}})})}}}};
  // arbord raises its soft limit to the hard one, so both are lowered, on arbord alone
  // (prlimit(2) right after the spawn: before or after arbord's own raise, the result is
  // 64/64, and arbord has far fewer descriptors open at that point).
  arbord.start(config, {}, Watch::from_boot);
  const rlimit low{64, 64};
  ASSERT_EQ(prlimit(arbord.pid(), RLIMIT_NOFILE, &low, nullptr), 0) << std::strerror(errno);
  ASSERT_TRUE(arbord.await_ready());
  const auto steady = arbord.pid_of("steady");
  ASSERT_TRUE(steady);

  Control status;
  ASSERT_TRUE(status.connect(arbord.socket()));
  ASSERT_TRUE(status.call("status"));

  // More connections than arbord has descriptors: libuv accepts and drops the excess.
  std::vector<std::unique_ptr<Control>> fillers;
  for (int i = 0; i < 80; ++i) {
    fillers.push_back(std::make_unique<Control>());
    ASSERT_TRUE(fillers.back()->connect(arbord.socket(), 2s));
  }
  const auto emfile = start_failed("crasher", "Too many open files");
  arbord.await_event(emfile, "crasher start_failed with EMFILE", 15s);
  arbord.await_event(event("restarting", "crasher"));
  arbord.await_event(emfile, "crasher start_failed with EMFILE", 15s);
  EXPECT_LE(fd_count(arbord.pid()), 64u);

  // Supervision and the open connection go on.
  const auto reply = status.call("status", {{"path", "/"}});
  ASSERT_TRUE(reply) << "the open control connection stopped answering";
  EXPECT_TRUE(reply->value("ok", false)) << reply->dump();
  const json* node = find_node((*reply)["result"], "steady");
  ASSERT_TRUE(node);
  EXPECT_EQ((*node)["state"], "running");
  EXPECT_EQ((*node)["pid"], *steady);

  fillers.clear();  // arbord sees EOF on each and closes them
  arbord.await_event(event("started", "crasher"), 15s);
  Control fresh;
  ASSERT_TRUE(fresh.connect(arbord.socket()));
  const auto again = fresh.call("status");
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->value("ok", false));

  EXPECT_EQ(arbord.pid_of("steady"), steady);
  EXPECT_TRUE(arbord.events_matching(event("exited", "steady")).empty());
  EXPECT_TRUE(arbord.events_matching({{"event", "gave_up"}}).empty());
  status.close();
  fresh.close();
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_TRUE(arbord.no_survivors());
}

// Unmounts (lazily: a failed test may leave files open) when the test ends.
struct TmpfsMount {
  std::string dir;
  bool mounted = false;
  explicit TmpfsMount(std::string d) : dir(std::move(d)) {
    std::filesystem::create_directories(dir);
    mounted = mount("arbor-test", dir.c_str(), "tmpfs", 0, "size=1m") == 0;
  }
  ~TmpfsMount() {
    if (mounted) umount2(dir.c_str(), MNT_DETACH);
  }
};

bool any_log_contains(const std::string& dir, const std::string& stem, const std::string& text) {
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().filename().string().rfind(stem, 0) != 0) continue;
    std::ifstream in(entry.path());
    for (std::string line; std::getline(in, line);) {
      if (line == text) return true;
    }
  }
  return false;
}

// (d) A 1 MiB tmpfs as log_dir, rotation at 300 KB keeping 5 (up to 1.8 MB: more than the
// disk). A worker writes 400 KB per run (then a marker line) and exits 1, so the disk
// fills on its third run: each run still ends on time (the capture
// never blocks it), arbord reports the dropped bytes, and once the files are deleted and
// truncated, a later run's output is in the log again.
TEST(Resources, FullLogDisk) {
  ArbordInstance arbord;
  TmpfsMount logs(arbord.path("logs"));
  if (!logs.mounted) GTEST_SKIP() << "cannot mount a tmpfs (needs root)";
  const json config = {
      {"logs", {{"max_bytes", 300000}, {"keep", 5}}},
      {"root",
       {{"strategy", "one_for_one"},
        {"max_restarts", 100},
        {"max_seconds", 10},
        {"children", json::array({child("steady", {}),
                                  child("chatty", {"--lines", "4000", "--line-bytes", "99", "--print",
                                                   "END-OF-BURST", "--after", "300", "--exit", "1"})})}}}};
  arbord.start(config, {}, Watch::from_boot);
  ASSERT_TRUE(arbord.await_ready());
  const auto steady = arbord.pid_of("steady");
  const auto dropped = arbord.await_event(event("log_dropped", "chatty"), 30s);
  ASSERT_TRUE(dropped);
  EXPECT_GT((*dropped)["bytes"].get<long long>(), 0);
  // Not blocked: the run ends by itself (code 1 after 300 ms), and the next one too.
  json failed = exited("chatty", 1);
  failed["reason"] = "abnormal";
  arbord.await_event(failed, 10s);
  arbord.await_event(failed, 10s);

  // Make room: delete the rotated files, truncate the current one.
  for (int g = 1; g <= 5; ++g) std::filesystem::remove(logs.dir + "/chatty.log." + std::to_string(g));
  std::filesystem::resize_file(logs.dir + "/chatty.log", 0);
  // The run in progress may still fill the disk; the one after it has room for a whole run.
  arbord.await_event(exited("chatty", 1), 10s);
  arbord.await_event(exited("chatty", 1), 10s);
  EXPECT_TRUE(any_log_contains(logs.dir, "chatty.log", "END-OF-BURST")) << "logging did not resume";

  EXPECT_EQ(arbord.pid_of("steady"), steady);
  EXPECT_TRUE(arbord.events_matching(event("exited", "steady")).empty());
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_TRUE(arbord.no_survivors());
}

}  // namespace
}  // namespace arbor::testing
