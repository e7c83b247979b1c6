// Init mode: arbord's duties as PID 1 of a container (docs/CONTAINERS.md), on when arbord
// is PID 1 of its pid namespace or runs with --init.
//
// What PID 1 must do that an ordinary arbord need not:
//   - reap every process reparented to it. The Reaper already reaps every waitable child on
//     each SIGCHLD (arbord is a child subreaper anyway), so nothing is added while the loop
//     runs; this file covers the time after it (below).
//   - handle signals itself: the kernel drops every signal sent to a namespace's init whose
//     disposition is SIG_DFL (except SIGKILL and SIGSTOP from an ancestor namespace), so a
//     `docker stop` (SIGTERM), a Ctrl-C (SIGINT), a SIGQUIT or LXC's SIGPWR would be lost
//     without a handler. InitSignals gives each one a meaning (init_signal_action).
//   - leave nothing behind: when the tree is down (every way the loop ends: a stop, the root
//     giving up, auto_shutdown, a failed boot) end_descendants() SIGKILLs every process left
//     and reaps until there is none (ECHILD), blocking in wait(), never polling. As PID 1,
//     kill(-1, SIGKILL) reaches every process of the namespace but arbord, and processes that
//     are not arbord's children (entered with `docker exec`) are awaited through pidfds. So
//     arbord exits last, and the kernel never kills a worker unannounced (tini#180).
#pragma once

#include <uv.h>

#include <cstddef>
#include <functional>
#include <vector>

#include "daemon/uv/uv_handle.h"

namespace arbor::app {

// arbord is PID 1 of its pid namespace.
bool is_pid1();

// What init mode does with a signal arbord would otherwise leave at its default.
enum class InitSignalAction {
  stop,    // stop the tree in order, then end the namespace (SIGQUIT, SIGPWR, SIGRTMIN+3/+4)
  ignore,  // logged once per arrival and ignored (SIGUSR1, SIGUSR2, SIGALRM, ...)
};

struct InitSignal {
  int signo;
  InitSignalAction action;
};

// The signals InitSignals handles, beyond SIGTERM, SIGINT and SIGHUP (the App's, in every
// mode) and SIGCHLD (the reaper's) and SIGPIPE (ignored by the App).
std::vector<InitSignal> init_signals();

// The handlers of init_signals() on the loop. `stop` is called with the signal's name.
class InitSignals {
 public:
  InitSignals(uv_loop_t* loop, std::function<void(const char* why)> stop);
  InitSignals(const InitSignals&) = delete;
  InitSignals& operator=(const InitSignals&) = delete;
  void close();

 private:
  static void on_signal(uv_signal_t* handle, int signo);
  std::function<void(const char*)> stop_;
  std::vector<uv::UvHandle<uv_signal_t>> handles_;
};

// Until the App's handlers are installed a signal to PID 1 would be dropped (its action is
// still the default): main() blocks them first, so they stay pending, and the App unblocks
// them once its handlers are in place, when the pending ones are delivered to them. Workers
// start with an empty signal mask whatever arbord's is (docs/SEMANTICS.md).
void block_init_signals();
void unblock_init_signals();

// Signal names for the log: "SIGQUIT", "SIGRTMIN+3".
const char* init_signal_name(int signo);

// After the tree has stopped: SIGKILLs every process left (PID 1: all of the namespace;
// --init: every descendant, each reparented to arbord, the subreaper, as its parent dies)
// and waits for each to be gone. Returns how many were killed.
std::size_t end_descendants(bool pid1);

}  // namespace arbor::app
