// ChildSpec -> JSON as a user would write it, so `arborctl spec` output can be edited
// and fed back to `add --spec`. Every field is written, defaults included, so the output
// also documents what the daemon runs with.
#include <fmt/format.h>

#include "config/listen.h"
#include "config/load.h"

namespace arbor::config {
namespace {

nlohmann::json output_json(const Output& o) {
  switch (o.kind) {
    case Output::Kind::log:
      return "log";
    case Output::Kind::inherit:
      return "inherit";
    case Output::Kind::null:
      return "null";
    case Output::Kind::file:
      return {{"file", *o.file}};
  }
  return "log";
}

nlohmann::json shutdown_json(const Shutdown& s) {
  switch (s.kind) {
    case Shutdown::Kind::brutal_kill:
      return "brutal_kill";
    case Shutdown::Kind::infinity:
      return "infinity";
    case Shutdown::Kind::timeout:
      return s.ms;
  }
  return s.ms;
}

// {"tcp": "HOST:PORT"}, {"http": URL} or {"exec": [...]}, as written.
nlohmann::json probe_json(const Probe& p) {
  switch (p.kind) {
    case Probe::Kind::exec:
      return {{"exec", p.command}};
    case Probe::Kind::tcp:
      return {{"tcp", p.text}};
    case Probe::Kind::http:
      return {{"http", p.text}};
  }
  return nlohmann::json::object();
}

void worker_json(const WorkerSpec& w, nlohmann::json& j) {
  j["command"] = w.command.to_vector();
  if (!w.env.empty()) {
    nlohmann::json env = nlohmann::json::object();
    for (const auto& [k, v] : w.env) env[k] = v;
    j["env"] = std::move(env);
  }
  if (w.cwd) j["cwd"] = *w.cwd;
  // Without the names as written, a resolved id is the next best thing.
  if (w.user)
    j["user"] = *w.user;
  else if (w.uid)
    j["user"] = std::to_string(*w.uid);
  if (w.group)
    j["group"] = *w.group;
  else if (w.gid && !w.user && !w.uid)
    j["group"] = std::to_string(*w.gid);
  if (w.umask) j["umask"] = fmt::format("{:04o}", *w.umask);
  j["stop_signal"] = signal_name(w.stop_signal);
  j["success_exit_codes"] = w.success_exit_codes.list();
  if (w.backoff) j["backoff"] = {{"initial_ms", w.backoff->initial_ms}, {"max_ms", w.backoff->max_ms}};
  j["stdout"] = output_json(w.stdout_spec);
  j["stderr"] = output_json(w.stderr_spec);
  switch (w.ready.kind) {
    case Ready::Kind::none:
      break;
    case Ready::Kind::notify:
      j["ready"] = {{"notify", true}, {"timeout", w.ready.timeout_ms}};
      break;
    case Ready::Kind::fd:
      j["ready"] = {{"fd", w.ready.fd}, {"timeout", w.ready.timeout_ms}};
      break;
    case Ready::Kind::probe:
      j["ready"] = probe_json(*w.ready.probe);
      j["ready"]["interval"] = w.ready.interval_ms;
      j["ready"]["timeout"] = w.ready.timeout_ms;
      break;
  }
  if (!w.listen.empty()) {
    j["listen"] = nlohmann::json::array();
    for (const Listen& l : w.listen) j["listen"].push_back(to_json(l));
  }
  if (w.health) {
    nlohmann::json h = probe_json(w.health->probe);
    h["interval"] = w.health->interval_ms;
    h["timeout"] = w.health->timeout_ms;
    h["start_period"] = w.health->start_period_ms;
    h["failures"] = w.health->failures;
    j["health"] = std::move(h);
  }
  if (w.watchdog_ms) j["watchdog"] = *w.watchdog_ms;
}

nlohmann::json limits_json(const Limits& l) {
  nlohmann::json j = nlohmann::json::object();
  if (l.memory_max) j["memory_max"] = *l.memory_max;
  if (l.memory_high) j["memory_high"] = *l.memory_high;
  if (l.pids_max) j["pids_max"] = *l.pids_max;
  if (l.cpu_weight) j["cpu_weight"] = *l.cpu_weight;
  if (l.cpu_max_percent) j["cpu_max_percent"] = *l.cpu_max_percent;
  return j;
}

void supervisor_json(const ChildSpec& c, nlohmann::json& j) {
  const SupervisorSpec& s = *c.supervisor;
  if (c.type == ChildType::supervisor) j["strategy"] = to_string(s.strategy);
  j["max_restarts"] = s.max_restarts;
  j["max_seconds"] = s.max_seconds;
  j["auto_shutdown"] = to_string(s.auto_shutdown);
  if (c.type == ChildType::supervisor) {
    j["children"] = nlohmann::json::array();
    for (const ChildSpec& child : s.children) j["children"].push_back(to_json(child));
  } else {
    if (s.max_children) j["max_children"] = *s.max_children;
    if (s.child_template) j["template"] = to_json(*s.child_template);
  }
}

}  // namespace

nlohmann::json to_json(const ChildSpec& c) {
  nlohmann::json j = nlohmann::json::object();
  if (!c.id.empty()) j["id"] = c.id;
  j["type"] = to_string(c.type);
  j["restart"] = to_string(c.restart);
  j["shutdown"] = shutdown_json(c.shutdown);
  j["significant"] = c.significant;
  if (!c.limits->empty()) j["limits"] = limits_json(*c.limits);
  if (c.is_worker())
    worker_json(c.worker, j);
  else
    supervisor_json(c, j);
  return j;
}

}  // namespace arbor::config
