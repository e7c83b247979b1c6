// ArbordInstance: runs the real arbord on a config in a fresh temporary directory and lets
// a test await what arbord announces, each wait with a deadline, never a fixed sleep:
//   - its readiness: arbord speaks sd_notify to a NOTIFY_SOCKET of this instance's own,
//     and await_ready() returns at its READY=1 (the tree is started);
//   - its events: the `watch` stream (docs/PROTOCOL.md "Events"), read as JSON by await_event();
//   - its exit (a pidfd), and its log (stderr), for what only the log says (a warning's
//     text, a failed boot's message, a config error).
//
// Which events a test sees (Watch):
//   from_ready  the watch is opened at READY=1. Every event after that is seen; the boot's
//               are not (pid_of() knows the boot's pids from a status taken then). For tests
//               that act after the boot (kill, signal, request, SIGHUP, SIGTERM).
//   from_boot   a gate child is put first among the root's children: it reports to the test
//               when it runs (the control socket is up before the first child starts), and
//               becomes ready only when the test has opened its watch. So every event, from
//               seq 1, is seen. For tests about the boot or about what happens right after
//               it on its own (a worker exiting after 50 ms).
//   held        from_boot, but the gate stays closed until release_gate(): the socket is up
//               and the rest of the tree waits (status shows the gate `starting`).
//   none        no watch (a crash storm would flood it); readiness and the log only.
// arbord gives no way to subscribe before its loop runs (the first boot events are emitted
// before it reads a request), hence the gate rather than "connect as early as possible".
//
// The test process makes itself a child subreaper, so anything arbord leaves behind is
// reparented to it: no_survivors() then proves that no worker or grandchild outlived arbord.
// Two instances may live at once (a second arbord started on the first's "socket"): the
// end of one leaves the other's arbord alone.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "tests/support/control.h"

namespace arbor::testing {

using namespace std::chrono_literals;

enum class Watch { from_ready, from_boot, held, none };

// How arbord is started: directly, or under a launcher whose argv goes before arbord's
// (`unshare --pid --fork ...`, `setpriv ... unshare ...`), which must end with the status
// of arbord. pid() is then the launcher's, arbord_pid() arbord's own (host) pid.
struct Launch {
  std::vector<std::string> prefix;
  // When set, dir() and the files the instance makes in it (config, notify socket, gate
  // FIFOs) are chowned to this uid and gid, for an arbord that runs as another user.
  std::optional<uid_t> owner;
};

// How await_boot() ended.
enum class Boot { ready, exited, timed_out };

class ArbordInstance {
 public:
  ArbordInstance();
  ~ArbordInstance();
  ArbordInstance(const ArbordInstance&) = delete;
  ArbordInstance& operator=(const ArbordInstance&) = delete;

  const std::string& dir() const { return dir_; }
  // Before start(): run arbord under a launcher (see Launch).
  void set_launch(Launch launch) { launch_ = std::move(launch); }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  // The control socket: the config's "socket" (by default dir()/arbord.sock).
  const std::string& socket() const { return socket_; }

  // Writes `tree` as the config ("socket" and "log_dir" default into dir()) and starts
  // arbord. With from_boot / held it returns once the watch is open (or arbord has exited).
  void start(nlohmann::json tree, std::vector<std::string> extra_args = {}, Watch watch = Watch::from_ready);
  // Adds "NAME=value" to the environment arbord is started with (before start()).
  void add_env(std::string assignment) { extra_env_.push_back(std::move(assignment)); }
  // How many datagrams arbord has sent on its NOTIFY_SOCKET with the line `line`
  // ("WATCHDOG=1"), after waiting up to `wait` for more to arrive.
  int notify_count(const std::string& line, std::chrono::milliseconds wait = 0ms);

  // With Watch::held: lets the boot go on.
  void release_gate();

  // Readiness: READY=1, arbord's exit (a failed boot), or the deadline. Opens the watch
  // (from_ready) and takes the status that pid_of() falls back on.
  Boot await_boot(std::chrono::milliseconds timeout = 10s);
  // await_boot() that fails the test unless arbord became ready.
  bool await_ready(std::chrono::milliseconds timeout = 10s);

  // Events: the next one after the cursor that matches `pattern` (every key of the pattern
  // is in the event with an equal value; objects compare the same way, recursively), e.g.
  // {{"event","exited"},{"path","b"},{"exit",{{"signal","KILL"}}}}. Moves the cursor past
  // it. Fails the test and returns nullopt on timeout, or once arbord's stream has ended.
  std::optional<nlohmann::json> await_event(const nlohmann::json& pattern,
                                            std::chrono::milliseconds timeout = 10s);
  std::optional<nlohmann::json> await_event(const std::function<bool(const nlohmann::json&)>& match,
                                            const std::string& what, std::chrono::milliseconds timeout = 10s);
  // Every event seen so far (after reading what has arrived), and those matching a pattern.
  std::vector<nlohmann::json> events();
  std::vector<nlohmann::json> events_matching(const nlohmann::json& pattern);

  // One request over this instance's own connection (opened with the watch), the whole
  // reply ({"id","ok","result"|"error"}); nullopt on timeout. arbord's log and events are
  // read meanwhile.
  std::optional<nlohmann::json> request(const std::string& cmd,
                                        nlohmann::json args = nlohmann::json::object(),
                                        std::chrono::milliseconds timeout = 10s);

  // Log lines (stderr): waits for one matching `pattern` (ECMAScript regex, searched)
  // after the log cursor and moves the cursor past it. Fails the test on timeout.
  std::optional<std::string> await(const std::string& pattern, std::chrono::milliseconds timeout = 10s);
  // All lines so far, and only those matching a pattern.
  std::vector<std::string> lines();
  std::vector<std::string> matching(const std::string& pattern);

  // Sends a signal to arbord (arbord_pid()); wait_exit() waits for it to exit and returns
  // its exit status (the launcher's, which is arbord's).
  void signal(int signo);
  std::optional<int> wait_exit(std::chrono::milliseconds timeout = 15s);
  pid_t pid() const { return pid_; }
  // arbord itself: pid() without a launcher, else the process named arbord below it
  // (once arbord has started, e.g. after await_ready); -1 when there is none.
  pid_t arbord_pid() const;
  // The pid of `path`'s latest `started` event (or, for a child started before the watch
  // opened, its pid in the status taken at READY=1).
  std::optional<pid_t> pid_of(const std::string& path);
  // True when no descendant of this test process is left (zombies reaped first).
  bool no_survivors(std::chrono::milliseconds timeout = 3s);

 private:
  // Waits up to `wait` for anything from arbord (log, notify, exit, watch, replies) and
  // reads all that has arrived.
  void pump(std::chrono::milliseconds wait);
  void read_log();
  void read_notify();
  void reap();
  void read_streams();
  bool open_watch();
  void take_snapshot();
  bool await_gate_up();
  nlohmann::json with_gate(nlohmann::json tree);

  void give_to_owner(const std::string& file) const;

  std::string dir_;
  std::string socket_;
  Launch launch_;
  pid_t pid_ = -1;
  int pidfd_ = -1;
  int stderr_fd_ = -1;
  int notify_fd_ = -1;
  int gate_up_fd_ = -1;
  int gate_go_fd_ = -1;
  Watch watch_mode_ = Watch::from_ready;
  bool ready_ = false;
  std::string partial_;
  std::vector<std::string> lines_;
  std::size_t cursor_ = 0;
  std::optional<int> exit_status_;
  std::unique_ptr<Control> watch_;
  std::unique_ptr<Control> control_;
  std::vector<nlohmann::json> events_;
  std::size_t event_cursor_ = 0;
  std::map<std::string, pid_t> boot_pids_;
  std::vector<std::string> extra_env_;
  std::map<std::string, int> notify_lines_;  // each line of each datagram on the notify socket
};

// True when every key of `pattern` is in `value` with an equal value (recursively).
bool matches(const nlohmann::json& value, const nlohmann::json& pattern);

// A worker spec running arbor_test_child with `args`.
nlohmann::json child(const std::string& id, std::vector<std::string> args,
                     nlohmann::json extra = nlohmann::json::object());
std::string test_child();

}  // namespace arbor::testing
