// `arborctl reexec` with cgroups on and with held listening sockets (docs/DESIGN.md,
// "In-place upgrade"): the new program adopts the old one's cgroup instance (every worker
// stays in the same cgroup, nothing escapes after the handover, exited still means empty)
// and its listening sockets (the same socket for the worker and its restarts, no refused
// connection meanwhile).
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <regex>
#include <thread>

#include <gtest/gtest.h>

#include "tests/integration/daemon/listen_util.h"
#include "tests/integration/reexec/reexec_util.h"

namespace arbor::testing {
namespace {

json tree(json children) {
  return {{"cgroups", "required"},
          {"root", {{"max_restarts", 100}, {"max_seconds", 10}, {"children", std::move(children)}}}};
}

// The pid of the latest "daemon pid=P" line in a worker's log (0 until there is one).
pid_t daemon_pid(ArbordInstance& arbord, const std::string& id) {
  pid_t pid = 0;
  poll_until(
      [&] {
        const std::string text = slurp(arbord.path("logs/" + id + ".log"));
        const std::regex line(R"(daemon pid=(\d+))");
        for (auto it = std::sregex_iterator(text.begin(), text.end(), line); it != std::sregex_iterator();
             ++it)
          pid = std::stoi((*it)[1]);
        return pid > 0;
      },
      5s);
  return pid;
}

// The instances (arbord-*) beside arbord `pid`'s.
std::size_t instances_beside(pid_t pid) {
  const std::string daemon = cgroup_of(pid);
  const std::filesystem::path start = std::filesystem::path(v2_mount() + daemon).parent_path().parent_path();
  std::size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(start))
    n += e.path().filename().string().starts_with("arbord-" + std::to_string(pid)) ? 1 : 0;
  return n;
}

TEST(ReexecCgroups, KeepsEveryWorkerInItsCgroupUnsignalled) {
  SKIP_WITHOUT_CGROUPS();
  ArbordInstance arbord;
  const std::string sigs = arbord.path("signals");
  arbord.start(tree({trapping("a", sigs), trapping("b", sigs), child("web", {"--daemonize"})}));
  ASSERT_TRUE(arbord.await_ready());
  const pid_t arbord_pid = arbord.arbord_pid();
  const std::string own = cgroup_of(arbord_pid);
  ASSERT_TRUE(own.ends_with("/daemon")) << own;
  const auto pids = worker_pids(status_of(arbord.socket()));
  ASSERT_EQ(pids.size(), 3u);
  std::map<std::string, std::string> cgroups;
  for (const auto& [path, pid] : pids) cgroups[path] = cgroup_of(pid);
  const pid_t daemon = daemon_pid(arbord, "web");
  ASSERT_GT(daemon, 0);
  EXPECT_EQ(cgroup_of(daemon), cgroups.at("web"));

  const RunResult r = arborctl(arbord.socket(), {"--json", "reexec"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["adopted"], true) << r.out;
  EXPECT_EQ(arbord.arbord_pid(), arbord_pid);
  EXPECT_EQ(cgroup_of(arbord_pid), own) << "the same instance, adopted";
  EXPECT_EQ(instances_beside(arbord_pid), 1u) << "no second instance made";
  const json after = status_of(arbord.socket());
  EXPECT_EQ(worker_pids(after), pids);
  for (const auto& [path, pid] : pids) {
    EXPECT_EQ(cgroup_of(pid), cgroups.at(path)) << path;
    EXPECT_EQ(find_node(after, path)->at("cgroup"), cgroups.at(path)) << path;
  }
  EXPECT_EQ(slurp(sigs), "");
  // The daemon web left in another session is still contained: its stop takes it.
  ASSERT_EQ(arborctl(arbord.socket(), {"stop", "web"}).status, 0);
  EXPECT_TRUE(poll_until([&] { return dead(daemon); }, 10s)) << "the daemon outlived its worker's stop";
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_TRUE(arbord.no_survivors());
  EXPECT_FALSE(std::filesystem::exists(v2_mount() + own)) << "the adopted instance is removed at the exit";
}

// The check step of a wrapper binary kills web's launcher (its daemon stays, in another
// session) while the old program waits: the new program sees the exit, kills the daemon
// through the cgroup and restarts web only once the cgroup is empty.
TEST(ReexecCgroups, AnExitDuringTheHandoverIsExitedOnceItsCgroupIsEmpty) {
  SKIP_WITHOUT_CGROUPS();
  ArbordInstance arbord;
  arbord.start(tree({child("web", {"--daemonize"})}));
  ASSERT_TRUE(arbord.await_ready());
  const pid_t launcher = *arbord.pid_of("web");
  const pid_t daemon = daemon_pid(arbord, "web");
  ASSERT_GT(daemon, 0);
  const std::string dir = cgroup_of(launcher);
  const std::string wrapper = arbord.path("arbord-wrapper");
  const std::string l = std::to_string(launcher);
  write_file(wrapper,
             "#!/bin/sh\n"
             "if [ \"$1\" = --reexec-check ]; then\n"
             "  kill -9 " +
                 l + "\n" + "  while [ \"$(cut -d' ' -f3 /proc/" + l +
                 "/stat)\" != Z ]; do sleep 0.01; done\n" +
                 "fi\n"
                 "exec " ARBORD_BIN " \"$@\"\n",
             true);
  const RunResult r = arborctl(arbord.socket(), {"--json", "reexec", "--binary", wrapper});
  ASSERT_EQ(r.status, 0) << r.err;
  pid_t restarted = 0;
  EXPECT_TRUE(poll_until(
      [&] {
        const auto pids = worker_pids(status_of(arbord.socket()));
        restarted = pids.count("web") == 1 ? pids.at("web") : 0;
        return restarted != 0 && restarted != launcher;
      },
      10s));
  EXPECT_TRUE(dead(daemon)) << "the daemon outlived its worker's exit";
  EXPECT_EQ(cgroup_of(restarted), dir) << "restarted in the same (renewed) cgroup";
  const json after = status_of(arbord.socket());
  EXPECT_EQ(find_node(after, "web")->at("restarts"), 1);
  EXPECT_EQ(find_node(after, "web")->at("last_exit"), json({{"signal", "KILL"}}));
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_TRUE(arbord.no_survivors());
}

std::string socket_inode(pid_t pid, int fd) {
  std::error_code ec;
  return std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/fd/" + std::to_string(fd), ec);
}

// A client connects again and again through the reexec: never refused, always answered;
// the worker keeps its socket, and its restart after the handover gets the same one.
TEST(ReexecListen, TheSameSocketAcrossTheReexecAndTheRestartsAfterIt) {
  namespace lu = listen_util;
  ArbordInstance arbord;
  const int port = lu::free_port();
  json t = lu::tree(json::array({lu::python_server("web", json::array({{{"tcp", lu::tcp(port)}}}))}));
  arbord.start(t);
  ASSERT_TRUE(arbord.await_ready());
  const pid_t pid = *arbord.pid_of("web");
  ASSERT_TRUE(lu::log_has(arbord, "web", "listen: fds=1 names=web pid=" + std::to_string(pid)));
  const std::string inode = socket_inode(pid, 3);
  ASSERT_TRUE(inode.starts_with("socket:")) << inode;
  std::atomic<bool> stop{false};
  std::atomic<int> asked{0}, failed{0};
  std::thread client([&] {
    while (!stop) {
      const auto a = lu::ask_tcp(port);
      ++asked;
      if (a.connect_errno != 0 || a.line.empty()) ++failed;
    }
  });
  const RunResult r = arborctl(arbord.socket(), {"--json", "reexec"});
  ASSERT_TRUE(poll_until([&] { return asked > 20; }, 10s));
  stop = true;
  client.join();
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["adopted"], true) << r.out;
  EXPECT_EQ(failed, 0) << "of " << asked << " connections";
  EXPECT_EQ(*arbord.pid_of("web"), pid);
  EXPECT_EQ(socket_inode(pid, 3), inode);
  // A restart after the handover: the same socket, as LISTEN_FDS=1.
  ::kill(pid, SIGKILL);
  pid_t next = 0;
  ASSERT_TRUE(poll_until(
      [&] {
        const auto pids = worker_pids(status_of(arbord.socket()));
        next = pids.count("web") == 1 ? pids.at("web") : 0;
        return next != 0 && next != pid;
      },
      10s));
  EXPECT_TRUE(lu::log_has(arbord, "web", "listen: fds=1 names=web pid=" + std::to_string(next)));
  EXPECT_EQ(socket_inode(next, 3), inode);
  EXPECT_EQ(lu::ask_tcp(port).line, "web " + std::to_string(next));
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_EQ(lu::ask_tcp(port).connect_errno, ECONNREFUSED) << "closed at arbord's exit";
  EXPECT_TRUE(arbord.no_survivors());
}

}  // namespace
}  // namespace arbor::testing
