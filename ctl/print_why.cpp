// `why`: one line per event of the chain, newest first (SPEC §10), the path in a column:
//   web/worker  exited, signal TERM (shutdown)
//   web/api     restarting (rest_for_one)
//   web/api     exited, signal KILL (abnormal)
#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "ctl/verbs.h"

namespace arbor::ctl {

namespace {

std::string exit_words(const cmd::Event& e) {
  std::string out = "exited";
  if (e.exit) {
    out += !e.exit->signal.empty() ? ", signal " + e.exit->signal : ", code " + std::to_string(e.exit->code);
  }
  std::vector<std::string> why;
  if (e.reason) why.push_back(*e.reason);
  if (e.exit && e.exit->oom) why.push_back("OOM killed");
  if (e.health.value_or(false)) why.push_back("failed its health check");
  if (e.watchdog.value_or(false)) why.push_back("watchdog");
  for (std::size_t i = 0; i < why.size(); ++i) out += (i == 0 ? " (" : ", ") + why[i];
  if (!why.empty()) out += ")";
  return out;
}

}  // namespace

std::string describe_why_event(const cmd::Event& e) {
  const std::string& kind = e.event;
  if (kind == "exited") return exit_words(e);
  if (kind == "started") return e.pid ? fmt::format("started, pid {}", *e.pid) : "started";
  if (kind == "restarting") {
    const std::string strategy = e.strategy.value_or("restart");
    if (e.delay_ms && *e.delay_ms > 0) return fmt::format("restarting ({}, in {} ms)", strategy, *e.delay_ms);
    return fmt::format("restarting ({})", strategy);
  }
  if (kind == "gave_up") return "gave up (restart intensity reached)";
  if (kind == "command") {
    const std::string name = e.command.value_or("?");
    return e.uid ? fmt::format("command {} (uid {})", name, *e.uid) : fmt::format("command {}", name);
  }
  if (kind == "unhealthy") {
    return fmt::format("unhealthy after {} failed check{}: {}", e.failures.value_or(0),
                       e.failures.value_or(0) == 1 ? "" : "s", e.error.value_or(""));
  }
  if (kind == "start_failed") return "start failed: " + e.error.value_or("");
  return kind;
}

std::string print_why(const cmd::Why::Result& why, const Output&) {
  std::size_t width = 0;
  for (const cmd::Event& e : why.chain) width = std::max(width, e.path.size());
  std::string out;
  for (const cmd::Event& e : why.chain) {
    out += fmt::format("{:<{}}  {}\n", e.path, width, describe_why_event(e));
  }
  if (!why.chain.empty() && why.chain.back().cause) {
    out += fmt::format("(seq {}, its cause, is no longer kept)\n", *why.chain.back().cause);
  }
  return out;
}

}  // namespace arbor::ctl
