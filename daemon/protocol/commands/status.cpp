#include "daemon/protocol/commands/status.h"

#include "daemon/protocol/args.h"

namespace arbor::protocol::commands {

using nlohmann::json;

Status::Request Status::Request::from_json(const json& args) {
  args::only(args, {"path"});
  return Request{args::optional_path(args).value_or("/")};
}

json Status::Request::to_json() const { return json{{"path", path}}; }

NodeStatus NodeStatus::from_json(const json& j) {
  NodeStatus n;
  if (!j.is_object()) return n;
  n.path = get_string(j, "path");
  n.id = get_string(j, "id");
  n.type = get_string(j, "type");
  n.state = get_string(j, "state");
  if (auto r = j.find("restarts"); r != j.end() && r->is_number_integer())
    n.restarts = r->get<std::int64_t>();
  if (auto o = j.find("operator_stopped"); o != j.end() && o->is_boolean())
    n.operator_stopped = o->get<bool>();
  if (auto p = j.find("pid"); p != j.end() && p->is_number_integer()) n.pid = p->get<int>();
  if (auto c = j.find("cgroup"); c != j.end() && c->is_string()) n.cgroup = c->get<std::string>();
  for (auto [key, field] : {std::pair{"memory_bytes", &n.memory_bytes}, {"cpu_usec", &n.cpu_usec}}) {
    if (auto v = j.find(key); v != j.end() && v->is_number_unsigned()) *field = v->get<std::uint64_t>();
  }
  if (auto f = j.find("health_failures"); f != j.end() && f->is_number_integer())
    n.health_failures = f->get<std::int64_t>();
  for (auto [key, field] : {std::pair{"started_at", &n.started_at},
                            {"next_restart_at", &n.next_restart_at},
                            {"status_text", &n.status_text},
                            {"health", &n.health}}) {
    if (auto t = j.find(key); t != j.end() && t->is_string()) *field = t->get<std::string>();
  }
  if (auto e = j.find("last_exit"); e != j.end() && e->is_object()) n.last_exit = Exit::from_json(*e);
  // By reference: a copy of each subtree per level would be quadratic in depth.
  if (auto c = j.find("children"); c != j.end() && c->is_array()) {
    for (const json& child : *c) n.children.push_back(from_json(child));
  }
  return n;
}

json NodeStatus::to_json() const {
  json j = json::object();
  j["path"] = path;
  j["id"] = id;
  j["type"] = type;
  j["state"] = state;
  j["restarts"] = restarts;
  j["operator_stopped"] = operator_stopped;
  j["cgroup"] = cgroup ? json(*cgroup) : json(nullptr);
  if (!is_worker()) {
    json list = json::array();
    for (const NodeStatus& child : children) list.push_back(child.to_json());
    j["children"] = std::move(list);
    j["memory_bytes"] = memory_bytes ? json(*memory_bytes) : json(nullptr);  // the subtree's
    j["cpu_usec"] = cpu_usec ? json(*cpu_usec) : json(nullptr);
    return j;
  }
  j["pid"] = pid ? json(*pid) : json(nullptr);
  j["memory_bytes"] = memory_bytes ? json(*memory_bytes) : json(nullptr);
  j["cpu_usec"] = cpu_usec ? json(*cpu_usec) : json(nullptr);
  j["started_at"] = started_at ? json(*started_at) : json(nullptr);
  j["last_exit"] = last_exit ? last_exit->to_json() : json(nullptr);
  if (next_restart_at) j["next_restart_at"] = *next_restart_at;
  j["status_text"] = status_text ? json(*status_text) : json(nullptr);
  j["health"] = health ? json(*health) : json(nullptr);
  j["health_failures"] = health_failures;
  return j;
}

namespace {
void append_string(std::string& out, const std::string& text) {
  out += json(text).dump(-1, ' ', false, json::error_handler_t::replace);
}
void append_cgroup(std::string& out, const std::optional<std::string>& cgroup) {
  out += "\"cgroup\":";
  if (cgroup) {
    append_string(out, *cgroup);
  } else {
    out += "null";
  }
}
std::string number_or_null(const std::optional<std::uint64_t>& n) { return n ? std::to_string(*n) : "null"; }
}  // namespace

void NodeStatus::append_json(std::string& out) const {
  // Keys in the order nlohmann::json (a std::map) prints them, so the text is the same.
  if (!is_worker()) {
    out += '{';
    append_cgroup(out, cgroup);
    out += ",\"children\":[";
    for (std::size_t i = 0; i < children.size(); ++i) {
      if (i > 0) out += ',';
      children[i].append_json(out);
    }
    out += "],\"cpu_usec\":" + number_or_null(cpu_usec);
    out += ",\"id\":";
    append_string(out, id);
    out += ",\"memory_bytes\":" + number_or_null(memory_bytes);
    out += operator_stopped ? ",\"operator_stopped\":true" : ",\"operator_stopped\":false";
    out += ",\"path\":";
    append_string(out, path);
    out += ",\"restarts\":" + std::to_string(restarts);
    out += ",\"state\":";
    append_string(out, state);
    out += ",\"type\":";
    append_string(out, type);
    out += '}';
    return;
  }
  out += '{';
  append_cgroup(out, cgroup);
  out += ",\"cpu_usec\":" + number_or_null(cpu_usec);
  out += ",\"health\":";
  if (health) {
    append_string(out, *health);
  } else {
    out += "null";
  }
  out += ",\"health_failures\":" + std::to_string(health_failures);
  out += ",\"id\":";
  append_string(out, id);
  out += ",\"last_exit\":";
  out += last_exit ? last_exit->to_json().dump() : "null";
  out += ",\"memory_bytes\":" + number_or_null(memory_bytes);
  if (next_restart_at) {
    out += ",\"next_restart_at\":";
    append_string(out, *next_restart_at);
  }
  out += operator_stopped ? ",\"operator_stopped\":true" : ",\"operator_stopped\":false";
  out += ",\"path\":";
  append_string(out, path);
  out += ",\"pid\":";
  out += pid ? std::to_string(*pid) : "null";
  out += ",\"restarts\":" + std::to_string(restarts);
  out += ",\"started_at\":";
  if (started_at) {
    append_string(out, *started_at);
  } else {
    out += "null";
  }
  out += ",\"state\":";
  append_string(out, state);
  out += ",\"status_text\":";
  if (status_text) {
    append_string(out, *status_text);
  } else {
    out += "null";
  }
  out += ",\"type\":";
  append_string(out, type);
  out += '}';
}

}  // namespace arbor::protocol::commands
