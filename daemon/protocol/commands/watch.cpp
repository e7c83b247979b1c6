#include "daemon/protocol/commands/watch.h"

#include <limits>

#include "daemon/protocol/args.h"

namespace arbor::protocol::commands {

using nlohmann::json;

Event Event::from_json(const json& j) {
  Event e;
  if (!j.is_object()) return e;
  e.seq = static_cast<std::uint64_t>(get_int(j, "seq"));
  e.time = get_string(j, "time");
  e.event = get_string(j, "event");
  e.path = get_string(j, "path");
  if (auto p = j.find("pid"); p != j.end() && p->is_number_integer()) e.pid = p->get<int>();
  if (auto x = j.find("exit"); x != j.end() && x->is_object()) e.exit = Exit::from_json(*x);
  if (auto r = j.find("reason"); r != j.end() && r->is_string()) e.reason = r->get<std::string>();
  if (auto r = j.find("error"); r != j.end() && r->is_string()) e.error = r->get<std::string>();
  if (auto d = j.find("delay_ms"); d != j.end() && d->is_number_integer())
    e.delay_ms = d->get<std::int64_t>();
  if (auto b = j.find("bytes"); b != j.end() && b->is_number_integer()) e.bytes = b->get<std::uint64_t>();
  if (auto f = j.find("failures"); f != j.end() && f->is_number_integer())
    e.failures = f->get<std::int64_t>();
  for (auto [key, field] : {std::pair{"health", &e.health}, {"watchdog", &e.watchdog}}) {
    if (auto b = j.find(key); b != j.end() && b->is_boolean()) *field = b->get<bool>();
  }
  if (auto c = j.find("cause"); c != j.end() && c->is_number_unsigned()) e.cause = c->get<std::uint64_t>();
  if (auto c = j.find("strategy"); c != j.end() && c->is_string()) e.strategy = c->get<std::string>();
  if (auto c = j.find("command"); c != j.end() && c->is_string()) e.command = c->get<std::string>();
  if (auto u = j.find("uid"); u != j.end() && u->is_number_unsigned()) e.uid = u->get<std::uint32_t>();
  if (auto p = j.find("plan"); p != j.end() && p->is_object()) {
    e.plan.emplace();
    for (const auto& [action, n] : p->items())
      (*e.plan)[action] = n.is_number_integer() ? n.get<std::int64_t>() : 0;
  }
  return e;
}

Watch::Request Watch::Request::from_json(const json& a) {
  args::only(a, {"since"});
  Request r;
  if (auto since = args::optional_int(a, "since", 0, std::numeric_limits<std::int64_t>::max())) {
    r.since = static_cast<std::uint64_t>(*since);
  }
  return r;
}

json Watch::Request::to_json() const {
  json j = json::object();
  if (since) j["since"] = *since;
  return j;
}

json Event::to_json() const {
  json j{{"seq", seq}, {"time", time}, {"event", event}, {"path", path}};
  j["cause"] = cause ? json(*cause) : json(nullptr);
  if (pid) j["pid"] = *pid;
  // An exit event always says how the process ended, null when that is not known.
  if (event == "exited") j["exit"] = exit ? exit->to_json() : json(nullptr);
  if (reason) j["reason"] = *reason;
  if (error) j["error"] = *error;
  if (delay_ms) j["delay_ms"] = *delay_ms;
  if (bytes) j["bytes"] = *bytes;
  if (plan) j["plan"] = *plan;
  if (failures) j["failures"] = *failures;
  if (health) j["health"] = *health;
  if (watchdog) j["watchdog"] = *watchdog;
  if (strategy) j["strategy"] = *strategy;
  if (command) j["command"] = *command;
  if (event == "command") j["uid"] = uid ? json(*uid) : json(nullptr);
  return j;
}

}  // namespace arbor::protocol::commands
