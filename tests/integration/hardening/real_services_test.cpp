// Faults found running real services under arbord (issue 11): zombies of orphans in other
// sessions (PostgreSQL's backends), the notify socket after READY=1 (redis, systemd-notify),
// and programs that daemonize (nginx without `daemon off;`). Each test is the issue's
// reproduction with the scriptable worker or the real client.
#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "tests/integration/daemon/arbord_instance.h"
#include "tests/integration/hardening/hardening_util.h"

namespace arbor::testing {
namespace {

using nlohmann::json;

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

json tree(json children) {
  return {{"root", {{"max_restarts", 100}, {"max_seconds", 10}, {"children", std::move(children)}}}};
}

// Round 1's process-group behaviour, which "cgroups": "off" keeps (tests/integration/cgroups
// has the same faults with cgroups on).
json without_cgroups(json config) {
  config["cgroups"] = "off";
  return config;
}

// Fault 1: a leader SIGKILLed while arbord is stopped, whose 20 children (each in its own
// session, with a parent-death signal) die with it. On SIGCONT arbord gets one SIGCHLD for
// all 21 deaths; no zombie may be left once it has handled them.
TEST(RealServices, NoZombieOutlivesALeaderWhoseSessionChildrenDieWithIt) {
  ArbordInstance arbord;
  arbord.start(tree(json::array(
      {child("pg", {"--spawn-setsid-children", "20", "--ready-fd", "3"}, {{"ready", {{"fd", 3}}}})})));
  ASSERT_TRUE(arbord.await_ready());
  auto leader = arbord.pid_of("pg");
  for (int round = 0; round < 4; ++round) {
    ASSERT_TRUE(leader);
    const std::size_t before = children_of(arbord.pid(), 'Z').size();  // > 0 only if a round failed
    ASSERT_EQ(kill(arbord.pid(), SIGSTOP), 0);
    kill(*leader, SIGKILL);
    const bool all_dead =
        poll_until([&] { return children_of(arbord.pid(), 'Z').size() >= before + 21; }, 10s);
    kill(arbord.pid(), SIGCONT);
    ASSERT_TRUE(all_dead) << "round " << round << ": the children did not die with their parent";
    ASSERT_TRUE(arbord.await_event({{"event", "exited"}, {"path", "pg"}, {"exit", {{"signal", "KILL"}}}}));
    const auto started = arbord.await_event({{"event", "started"}, {"path", "pg"}});
    ASSERT_TRUE(started);
    leader = (*started)["pid"].get<pid_t>();
    // No later exit will come: a zombie left now would stay.
    EXPECT_TRUE(poll_until([&] { return children_of(arbord.pid(), 'Z').empty(); }, 10s))
        << "round " << round << ": " << children_of(arbord.pid(), 'Z').size() << " zombies of arbord";
  }
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_TRUE(arbord.no_survivors());
}

// Fault 2 with the real client: systemd-notify sends READY=1, then STATUS= twice. The later
// messages must be received (not refused) and the last text shown by `status`.
TEST(RealServices, SystemdNotifyStatusAfterReadyIsShownInStatus) {
  ArbordInstance arbord;
  const std::string out = arbord.path("notify.out");
  const std::string script = "systemd-notify --pid=$$ --ready; echo ready=$? >> " + out +
                             "; systemd-notify --pid=$$ --status='warming up'; echo status1=$? >> " + out +
                             "; systemd-notify --pid=$$ --status='serving 3 clients'; echo status2=$? >> " +
                             out + "; exec sleep 1000";
  arbord.start(tree(json::array(
      {{{"id", "redis"}, {"command", {"/bin/sh", "-c", script}}, {"ready", {{"notify", true}}}}})));
  ASSERT_TRUE(arbord.await_ready());
  Control control;
  ASSERT_TRUE(control.connect(arbord.path("arbord.sock")));
  std::string text;
  EXPECT_TRUE(poll_until(
      [&] {
        const auto reply = control.call("status", {{"path", "redis"}});
        if (!reply || !reply->contains("result")) return false;
        const json& node = (*reply)["result"];
        text = node.value("status_text", json()).is_string() ? node["status_text"].get<std::string>() : "";
        return text == "serving 3 clients";
      },
      5s))
      << "status_text is \"" << text << "\"";
  // The shell writes the last status after arbord has read the datagram.
  EXPECT_TRUE(poll_until([&] { return read_text(out).size() >= 28; }, 5s));
  EXPECT_EQ(read_text(out), "ready=0\nstatus1=0\nstatus2=0\n");
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_TRUE(arbord.no_survivors());
}

// Fault 2 with a plain socket client (Python), as redis's own sd_notify code does: READY=1,
// then STATUS=, WATCHDOG=1 and STOPPING=1 in later datagrams, none of which may be refused.
TEST(RealServices, NotifyMessagesAfterReadyAreNeverRefused) {
  ArbordInstance arbord;
  const std::string out = arbord.path("py.out");
  const std::string program =
      "import os, socket, sys, time\n"
      "a = os.environ['NOTIFY_SOCKET']\n"
      "a = '\\0' + a[1:] if a[0] == '@' else a\n"
      "s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\n"
      "s.sendto(b'READY=1', a)\n"
      "time.sleep(0.2)\n"
      "for m in (b'STATUS=py ok', b'WATCHDOG=1', b'WATCHDOG=1\\nSTATUS=py still ok', b'STOPPING=1'):\n"
      "    s.sendto(m, a)\n"
      "open(sys.argv[1], 'w').write('sent\\n')\n"
      "time.sleep(1000)\n";
  arbord.start(tree(json::array({{{"id", "py"},
                                  {"command", {"/usr/bin/python3", "-c", program, out}},
                                  {"ready", {{"notify", true}}}}})));
  ASSERT_TRUE(arbord.await_ready());
  EXPECT_TRUE(poll_until([&] { return std::filesystem::exists(out); }, 5s));
  EXPECT_EQ(read_text(out), "sent\n") << "a message after READY=1 was refused";
  Control control;
  ASSERT_TRUE(control.connect(arbord.path("arbord.sock")));
  EXPECT_TRUE(poll_until(
      [&] {
        const auto reply = control.call("status", {{"path", "py"}});
        return reply && reply->contains("result") &&
               (*reply)["result"].value("status_text", json()) == "py still ok";
      },
      5s));
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_TRUE(arbord.no_survivors());
}

// "daemon pid=P pgid=G" from a worker's log file: the process --daemonize left.
std::pair<pid_t, pid_t> daemon_ids(const std::string& log) {
  std::smatch m;
  std::string last;
  const std::regex line(R"(daemon pid=(\d+) pgid=(\d+))");
  std::pair<pid_t, pid_t> ids{0, 0};
  for (auto it = std::sregex_iterator(log.begin(), log.end(), line); it != std::sregex_iterator(); ++it) {
    ids = {std::stoi((*it)[1]), std::stoi((*it)[2])};
  }
  return ids;
}

// Fault 3: nginx without `daemon off;`, played by a launcher that double-forks a daemon
// into a new session and exits 0. One warning names the daemon; it is killed with the
// worker (before `exited`, so before any restart), and it is in the group record while
// it lives, so a SIGKILLed arbord's successor would kill it.
TEST(RealServices, ADaemonizingProgramIsNamedAndKilledWithItsWorker) {
  ArbordInstance arbord;
  arbord.start(without_cgroups(
      tree(json::array({child("web", {"--daemonize", "--after", "0"}, {{"restart", "transient"}})}))));
  const auto warning = arbord.await(
      R"( web: exited but left processes (\d+) running in other sessions \(the program daemonized; )"
      R"(run it in the )"
      R"(foreground, e\.g\. nginx `daemon off;`\) — they are killed with the worker)");
  ASSERT_TRUE(warning);
  arbord.await(R"( web: exited, pid \d+, code 0)");
  auto [daemon, pgid] = daemon_ids(read_text(arbord.path("logs/web.log")));
  ASSERT_GT(daemon, 0);
  EXPECT_NE(warning->find(" " + std::to_string(daemon) + " "), std::string::npos) << *warning;
  EXPECT_TRUE(dead(daemon)) << "the daemon outlived its worker's exit";
  EXPECT_TRUE(group_members(pgid).empty());
  // Recorded while it lived (+), forgotten once gone (-).
  const std::string record = read_text(arbord.path("arbord.sock.groups"));
  EXPECT_NE(record.find("+" + std::to_string(pgid) + " "), std::string::npos) << record;
  EXPECT_NE(record.find("-" + std::to_string(pgid) + "\n"), std::string::npos) << record;

  // A restart starts the launcher again: its daemon goes the same way, with one warning.
  Control control;
  ASSERT_TRUE(control.connect(arbord.path("arbord.sock")));
  ASSERT_TRUE(control.call("restart", {{"path", "web"}}));
  arbord.await(R"( web: exited but left processes \d+ running in other sessions)");
  arbord.await(R"( web: exited, pid \d+, code 0)");
  std::tie(daemon, pgid) = daemon_ids(read_text(arbord.path("logs/web.log")));
  EXPECT_TRUE(dead(daemon));
  EXPECT_EQ(arbord.matching("left processes").size(), 2u);
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_TRUE(arbord.no_survivors());
}

// A daemon whose launcher failed (exit 3) is not looked for at that exit (only exit 0 is
// what a launcher does); it still dies with arbord, named in one line.
TEST(RealServices, ADaemonLeftByAFailingLauncherDiesWithArbord) {
  ArbordInstance arbord;
  arbord.start(without_cgroups(tree(json::array(
      {child("web", {"--daemonize", "--after", "0", "--exit", "3"}, {{"restart", "temporary"}})}))));
  arbord.await(R"( web: exited, pid \d+, code 3)");
  std::pair<pid_t, pid_t> ids;
  ASSERT_TRUE(
      poll_until([&] { return (ids = daemon_ids(read_text(arbord.path("logs/web.log")))).first > 0; }, 5s));
  EXPECT_FALSE(dead(ids.first));
  arbord.signal(SIGTERM);
  arbord.await(" killed processes " + std::to_string(ids.first) +
               " that workers left running in other sessions");
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_TRUE(arbord.no_survivors());
}

}  // namespace
}  // namespace arbor::testing
