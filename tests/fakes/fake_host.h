// FakeHost: a simulated process host and clock for the supervision core.
//
// It records every action the core takes as a line of text ("spawn web/api",
// "signal web/api TERM"), simulates processes (a spawned worker runs until a signal
// kills it or the test makes it exit) and fires timers in deadline order, ties broken
// by arming order. settle() answers pending spawns and deaths until nothing is left.
#pragma once

#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "daemon/core/host.h"
#include "daemon/core/supervisor_tree.h"

namespace arbor::testing {

using core::ExitStatus;
using core::Millis;

class FakeHost final : public core::Host {
 public:
  void spawn(core::SpawnToken token, const std::string& path, const config::WorkerSpec& spec) override;
  void signal(core::SpawnToken token, int signo) override;
  void probe(core::SpawnToken token, std::uint64_t seq, const config::Probe& probe,
             const config::WorkerSpec& spec) override;
  void cancel_probe(core::SpawnToken token) override;
  void arm_timer(core::TimerToken token, Millis deadline) override;
  void cancel_timer(core::TimerToken token) override;
  std::uint64_t emit(const core::Event& event) override {
    events.push_back(event);
    history.push_back(event);
    return history.size();
  }
  void outcome(const core::Outcome& o) override { outcomes.push_back(o); }
  double random_unit() override { return 0.5; }  // no jitter
  // Kept, not logged: the last set of operator stops the core asked to keep, and how often.
  void save_operator_stops(const std::vector<std::string>& paths) override {
    saved_stops = paths;
    ++stop_saves;
  }

  // What the core did, oldest first; take_log() returns and clears it.
  std::vector<std::string> log;
  std::vector<core::Event> events;
  std::vector<core::Event> history;  // every event, never cleared: event seq N is history[N - 1]
  std::vector<core::Outcome> outcomes;
  int sigconts = 0;
  std::vector<std::string> saved_stops;
  int stop_saves = 0;

  // Behaviour of simulated processes, by path.
  std::set<std::string> fail_spawn;   // spawn fails with "exec: No such file or directory"
  std::set<std::string> ignore_term;  // survives its stop signal; only SIGKILL ends it
  std::set<std::string> never_ready;  // with ready configured, never signals readiness
  bool auto_ready = true;             // processes that need readiness signal it at once

  struct Proc {
    std::string path;
    int pid = 0;
    bool needs_ready = false;
    bool dying = false;
  };
  std::map<core::SpawnToken, Proc> procs;  // live processes
  std::deque<core::SpawnToken> pending_spawns;
  std::map<core::SpawnToken, std::uint64_t> probes;  // in flight: token -> seq (the test answers)
  std::map<core::SpawnToken, std::pair<std::string, bool>> spawn_info;  // path, needs ready
  std::deque<std::pair<core::SpawnToken, ExitStatus>> pending_exits;
  std::multimap<std::pair<Millis, std::uint64_t>, core::TimerToken> timers;  // (deadline, seq)
  std::uint64_t timer_seq = 0;
  int next_pid = 100;

  std::optional<core::SpawnToken> token_of(const std::string& path) const;
};

// A tree on a FakeHost with a clock the test moves.
class Harness {
 public:
  explicit Harness(const config::ChildSpec& root) : tree(host, root) {}

  void boot() {
    tree.boot(now);
    settle();
  }
  // Answers spawns and delivers deaths until the system is quiet.
  void settle();
  // Moves the clock, firing due timers (and settling after each).
  void advance(Millis ms);
  // The live process at `path` exits on its own.
  void exit(const std::string& path, ExitStatus status);
  void crash(const std::string& path) { exit(path, ExitStatus::code(1)); }
  // A process that needs readiness reports it.
  void ready(const std::string& path);
  // The probe in flight against `path` answers (error: the failure's text).
  void probe_result(const std::string& path, bool passed, const std::string& error = "refused");
  bool probing(const std::string& path) const;
  // WATCHDOG=1 (or WATCHDOG=trigger) from the process at `path`.
  void watchdog(const std::string& path, bool trigger = false);

  std::vector<std::string> take_log();
  std::vector<std::string> event_lines() const;  // "restarting a 0", "gave_up /", ...
  core::ChildState state(const std::string& path) const;
  int restarts(const std::string& path) const;
  bool exists(const std::string& path) const { return tree.find(path) != nullptr; }
  std::optional<core::OutcomeKind> outcome() const {
    if (host.outcomes.empty()) return std::nullopt;
    return host.outcomes.back().kind;
  }

  // Runs an operator command to completion and returns its answer.
  core::OpResult stop(const std::string& p);
  core::OpResult start(const std::string& p);
  core::OpResult restart(const std::string& p);
  core::OpResult remove(const std::string& p);
  core::OpResult add(const std::string& sup, config::ChildSpec spec);
  core::OpResult add_dynamic(const std::string& sup, std::vector<std::string> args = {});

  FakeHost host;
  core::SupervisorTree tree;
  Millis now = 1000;

 private:
  template <typename F>
  core::OpResult run(F f);
};

// Spec builders.
config::ChildSpec worker(const std::string& id, config::RestartType restart = config::RestartType::permanent);
config::ChildSpec supervisor(const std::string& id, config::Strategy strategy,
                             std::vector<config::ChildSpec> children, int max_restarts = 3,
                             std::int64_t max_seconds = 5);
config::ChildSpec dynamic(const std::string& id, std::optional<std::size_t> max_children = std::nullopt,
                          config::RestartType restart = config::RestartType::temporary);
config::ChildSpec root(config::Strategy strategy, std::vector<config::ChildSpec> children,
                       int max_restarts = 3, std::int64_t max_seconds = 5);

}  // namespace arbor::testing
