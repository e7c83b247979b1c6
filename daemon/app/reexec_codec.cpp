// ReexecState to bytes and back (reexec_state.h has the format). The payload is JSON:
// a few hundred bytes per worker, read once; malformed input of any kind is an error
// with a reason, never a crash (fuzz/reexec_state_fuzz.cpp).
#include <charconv>
#include <exception>
#include <sstream>

#include <fmt/format.h>

#include "arbor_version.h"
#include "config/listen.h"
#include "config/load.h"
#include "daemon/app/reexec_state.h"

namespace arbor::app {

using nlohmann::json;

namespace {

constexpr int kMaxDepth = 64;

json exit_json(const std::optional<core::ExitStatus>& e) {
  return e ? json::array({e->signaled, e->value, e->oom}) : json(nullptr);
}

std::optional<core::ExitStatus> exit_from(const json& j) {
  if (j.is_null()) return std::nullopt;
  return core::ExitStatus{
      .signaled = j.at(0).get<bool>(), .oom = j.at(2).get<bool>(), .value = j.at(1).get<int>()};
}

template <typename E>
E enum_from(const json& j, int last) {
  const int v = j.get<int>();
  if (v < 0 || v > last) throw std::out_of_range("enumerator out of range");
  return static_cast<E>(v);
}

// One node: every field of core::NodeSnapshot, side by side with node_from().
json node_json(const core::NodeSnapshot& n) {
  json j{{"id", n.id}, {"w", n.worker}, {"r", n.restarts}, {"os", n.operator_stopped}, {"ra", n.restart_at}};
  if (n.runtime_spec) j["spec"] = config::to_json(*n.runtime_spec);
  if (n.worker) {
    j["s"] = static_cast<int>(n.state);
    j["t"] = n.token;
    j["p"] = n.pid;
    j["sa"] = n.started_at;
    j["lu"] = n.last_uptime;
    j["cr"] = n.consecutive_restarts;
    j["le"] = exit_json(n.last_exit);
    j["st"] = n.status_text ? json(*n.status_text) : json(nullptr);
    j["h"] = n.health ? json(static_cast<int>(*n.health)) : json(nullptr);
    j["hf"] = n.health_failures;
    return j;
  }
  j["ss"] = static_cast<int>(n.supervisor_state);
  j["i"] = n.intensity;
  j["nd"] = n.next_dynamic_id;
  j["job"] = static_cast<int>(n.job);
  j["js"] = n.job_starting;
  j["jt"] = n.job_to_start;
  json children = json::array();
  for (const auto& c : n.children) children.push_back(node_json(c));
  j["c"] = std::move(children);
  return j;
}

core::NodeSnapshot node_from(const json& j, int depth) {
  if (depth > kMaxDepth) throw std::out_of_range("the tree is nested too deeply");
  core::NodeSnapshot n;
  n.id = j.at("id").get<std::string>();
  n.worker = j.at("w").get<bool>();
  n.restarts = j.at("r").get<int>();
  n.operator_stopped = j.at("os").get<bool>();
  n.restart_at = j.at("ra").get<core::Millis>();
  if (j.contains("spec")) {
    config::LoadOptions options;
    options.check_paths = false;
    auto loaded = config::load_child(j.at("spec"), "", options);
    if (!loaded.child) throw std::invalid_argument(n.id + ": its spec: " + to_string(loaded.errors.front()));
    n.runtime_spec = std::make_shared<const config::ChildSpec>(std::move(*loaded.child));
  }
  if (n.worker) {
    n.state = enum_from<core::SnapshotState>(j.at("s"), static_cast<int>(core::SnapshotState::running));
    n.token = j.at("t").get<core::SpawnToken>();
    n.pid = j.at("p").get<int>();
    n.started_at = j.at("sa").get<core::Millis>();
    n.last_uptime = j.at("lu").get<core::Millis>();
    n.consecutive_restarts = j.at("cr").get<int>();
    n.last_exit = exit_from(j.at("le"));
    if (!j.at("st").is_null()) n.status_text = j.at("st").get<std::string>();
    if (!j.at("h").is_null())
      n.health = enum_from<core::HealthState>(j.at("h"), static_cast<int>(core::HealthState::unhealthy));
    n.health_failures = j.at("hf").get<int>();
    return n;
  }
  n.supervisor_state =
      enum_from<core::ChildState>(j.at("ss"), static_cast<int>(core::ChildState::restarting));
  n.intensity = j.at("i").get<std::vector<core::Millis>>();
  n.next_dynamic_id = j.at("nd").get<std::uint64_t>();
  n.job = enum_from<core::SnapshotJob>(j.at("job"), static_cast<int>(core::SnapshotJob::restart));
  n.job_starting = j.at("js").get<std::string>();
  n.job_to_start = j.at("jt").get<std::vector<std::string>>();
  for (const auto& c : j.at("c")) n.children.push_back(node_from(c, depth + 1));
  return n;
}

json worker_json(const host::HandoverWorker& w) {
  return json{{"t", w.token},          {"path", w.path},
              {"pid", w.pid},          {"pidfd", w.pidfd},
              {"log", w.log_fd},       {"lp", w.log_pending},
              {"rf", w.ready_fd},      {"rc", w.ready_channel},
              {"nn", w.notify_name},   {"wc", w.watchdog_channel},
              {"wn", w.watchdog_name}, {"cg", w.cgroup},
              {"cr", w.cgroup_renew},  {"oom", w.oom_kills ? json(*w.oom_kills) : json(nullptr)}};
}

host::HandoverWorker worker_from(const json& j) {
  host::HandoverWorker w;
  w.token = j.at("t").get<std::uint64_t>();
  w.path = j.at("path").get<std::string>();
  w.pid = j.at("pid").get<pid_t>();
  w.pidfd = j.at("pidfd").get<int>();
  w.log_fd = j.at("log").get<int>();
  w.log_pending = j.at("lp").get<std::string>();
  w.ready_fd = j.at("rf").get<bool>();
  w.ready_channel = j.at("rc").get<int>();
  w.notify_name = j.at("nn").get<std::string>();
  w.watchdog_channel = j.at("wc").get<int>();
  w.watchdog_name = j.at("wn").get<std::string>();
  w.cgroup = j.at("cg").get<std::string>();
  w.cgroup_renew = j.at("cr").get<bool>();
  if (!j.at("oom").is_null()) w.oom_kills = j.at("oom").get<std::uint64_t>();
  return w;
}

// A held socket: its spec as configured ("listen" of docs/CONFIG.md) and its descriptor.
json listen_json(const host::HandoverListen& l) {
  const bool tcp = l.spec.kind == config::Listen::Kind::tcp;
  return json{{"path", l.path},      {"tcp", tcp},        {"address", l.spec.address},
              {"name", l.spec.name}, {"sm", l.spec.mode}, {"fd", l.fd},
              {"dev", l.dev},        {"ino", l.ino},      {"mode", l.mode},
              {"uid", l.uid},        {"gid", l.gid}};
}

host::HandoverListen listen_from(const json& j) {
  host::HandoverListen l;
  l.path = j.at("path").get<std::string>();
  const std::string address = j.at("address").get<std::string>();
  if (j.at("tcp").get<bool>()) {
    std::string why;
    auto parsed = config::parse_tcp_address(address, &why);
    if (!parsed) throw std::invalid_argument("listen " + address + ": " + why);
    l.spec = std::move(*parsed);
  } else {
    l.spec.kind = config::Listen::Kind::unix_socket;
    l.spec.address = address;
  }
  l.spec.name = j.at("name").get<std::string>();
  l.spec.mode = j.at("sm").get<mode_t>();
  l.fd = j.at("fd").get<int>();
  l.dev = j.at("dev").get<dev_t>();
  l.ino = j.at("ino").get<ino_t>();
  l.mode = j.at("mode").get<mode_t>();
  l.uid = j.at("uid").get<uid_t>();
  l.gid = j.at("gid").get<gid_t>();
  return l;
}

json event_json(const events::StampedEvent& s) {
  const core::Event& e = s.event;
  return json::array(
      {s.seq, s.micros, static_cast<int>(e.type), e.path, e.pid ? json(*e.pid) : json(nullptr),
       exit_json(e.exit), static_cast<int>(e.reason), e.error, e.failures, e.health, e.watchdog, e.delay_ms,
       e.bytes, e.plan_counts, e.cause, e.strategy != nullptr ? json(e.strategy) : json(nullptr),
       e.command != nullptr ? json(e.command) : json(nullptr), e.uid ? json(*e.uid) : json(nullptr)});
}

// An event's strategy or command is a static string (core::Event): the one of `known`
// spelled the same, or null for a name this program does not know.
const char* interned(const json& j, std::initializer_list<const char*> known) {
  if (j.is_null()) return nullptr;
  const auto& name = j.get_ref<const std::string&>();
  for (const char* k : known) {
    if (name == k) return k;
  }
  return nullptr;
}

events::StampedEvent event_from(const json& j) {
  events::StampedEvent s;
  s.seq = j.at(0).get<std::uint64_t>();
  s.micros = j.at(1).get<std::int64_t>();
  core::Event& e = s.event;
  e.type = enum_from<core::EventType>(j.at(2), static_cast<int>(core::EventType::command));
  e.path = j.at(3).get<std::string>();
  if (!j.at(4).is_null()) e.pid = j.at(4).get<int>();
  e.exit = exit_from(j.at(5));
  e.reason = enum_from<core::ExitReason>(j.at(6), static_cast<int>(core::ExitReason::abnormal));
  e.error = j.at(7).get<std::string>();
  e.failures = j.at(8).get<int>();
  e.health = j.at(9).get<bool>();
  e.watchdog = j.at(10).get<bool>();
  e.delay_ms = j.at(11).get<core::Millis>();
  e.bytes = j.at(12).get<std::uint64_t>();
  e.plan_counts = j.at(13).get<std::array<int, 5>>();
  e.cause = j.at(14).get<std::uint64_t>();
  e.strategy = interned(j.at(15), {"one_for_one", "one_for_all", "rest_for_one"});
  e.command = interned(j.at(16), {"stop", "start", "restart", "remove", "add", "signal", "reload"});
  if (!j.at(17).is_null()) e.uid = j.at(17).get<std::uint32_t>();
  return s;
}

// The top-level settings and the configured root, as a config file would hold them.
json config_json(const ReexecState& state) {
  json root = config::to_json(state.snapshot.root_spec);
  for (const char* key : {"id", "restart", "shutdown", "significant"}) root.erase(key);
  const char* cgroups = state.tree.cgroups == config::CgroupsMode::automatic  ? "auto"
                        : state.tree.cgroups == config::CgroupsMode::required ? "required"
                                                                              : "off";
  return json{{"socket", state.tree.socket},
              {"log_dir", state.tree.log_dir},
              {"logs", {{"max_bytes", state.tree.logs.max_bytes}, {"keep", state.tree.logs.keep}}},
              {"auto_shutdown_exit_code",
               state.tree.auto_shutdown_exit_code == config::AutoShutdownExitCode::zero ? "zero" : "child"},
              {"cgroups", cgroups},
              {"root", std::move(root)}};
}

template <typename T>
std::string joined(const std::vector<T>& values) {
  std::string out;
  for (const auto& v : values) out += " " + std::to_string(v);
  return out;
}

template <typename T>
bool numbers(std::string_view line, std::string_view tag, std::vector<T>& out) {
  if (!line.starts_with(tag)) return false;
  std::istringstream in{std::string(line.substr(tag.size()))};
  for (long long v = 0; in >> v;) out.push_back(static_cast<T>(v));
  return in.eof();
}

}  // namespace

std::string encode(const ReexecState& state) {
  const ReexecHeader& h = state.header;
  std::string out = fmt::format("ARBORD-STATE {}\nfds{}\ngroups{}\nclient {} {}\n\n", h.version,
                                joined(h.fds), joined(h.groups), h.client_fd, h.request_id.dump());
  json workers = json::array();
  for (const auto& w : state.workers) workers.push_back(worker_json(w));
  json listen = json::array();
  for (const auto& l : state.listen) listen.push_back(listen_json(l));
  json history = json::array();
  for (const auto& e : state.history) history.push_back(event_json(e));
  const json payload{{"argv", state.argv},
                     {"config_path", state.config_path},
                     {"config", config_json(state)},
                     {"tree", node_json(state.snapshot.root)},
                     {"next_id", state.snapshot.next_id},
                     {"workers", std::move(workers)},
                     {"listen", std::move(listen)},
                     {"cgroup_instance", state.cgroup_instance},
                     {"listener", state.listener_fd},
                     {"record", {{"path", state.record_path}, {"fd", state.record_fd}}},
                     {"events", {{"seq", state.event_seq}, {"history", std::move(history)}}}};
  out += payload.dump();
  return out;
}

bool decode_header(std::string_view bytes, ReexecHeader& header, std::string& why) {
  std::vector<std::string_view> lines;
  std::size_t at = 0;
  while (lines.size() < 5) {
    const std::size_t nl = bytes.find('\n', at);
    if (nl == std::string_view::npos) break;
    lines.push_back(bytes.substr(at, nl - at));
    at = nl + 1;
  }
  const auto fail = [&](const char* what) {
    why = std::string("the reexec state's header: ") + what;
    return false;
  };
  if (lines.size() < 5 || !lines[0].starts_with("ARBORD-STATE ") || !lines[4].empty())
    return fail("not an arbord state");
  const std::string_view v = lines[0].substr(13);
  if (std::from_chars(v.data(), v.data() + v.size(), header.version).ec != std::errc{})
    return fail("no version");
  if (!numbers(lines[1], "fds", header.fds) || !numbers(lines[2], "groups", header.groups))
    return fail("bad fds or groups");
  if (!lines[3].starts_with("client ")) return fail("no client");
  const std::string_view client = lines[3].substr(7);
  const std::size_t space = client.find(' ');
  if (space == std::string_view::npos ||
      std::from_chars(client.data(), client.data() + space, header.client_fd).ec != std::errc{})
    return fail("bad client");
  header.request_id = json::parse(client.substr(space + 1), nullptr, false);
  if (header.request_id.is_discarded()) return fail("bad request id");
  return true;
}

bool decode(std::string_view bytes, ReexecState& state, std::string& why) {
  if (!decode_header(bytes, state.header, why)) return false;
  if (state.header.version != kReexecStateVersion) {
    why = fmt::format("the reexec state has format version {}; this arbord ({}) reads version {}",
                      state.header.version, ARBOR_VERSION, kReexecStateVersion);
    return false;
  }
  const std::size_t start = bytes.find("\n\n");
  try {
    const json j = json::parse(bytes.substr(start + 2));
    state.argv = j.at("argv").get<std::vector<std::string>>();
    state.config_path = j.at("config_path").get<std::string>();
    config::LoadOptions options;
    options.check_paths = false;
    auto loaded = config::load_text(j.at("config").dump(), options);
    if (!loaded.tree) {
      why = "the reexec state's tree: " + to_string(loaded.errors.front());
      return false;
    }
    state.tree = std::move(*loaded.tree);
    state.snapshot.root_spec = std::move(state.tree.root);
    state.tree.root = {};
    state.snapshot.root = node_from(j.at("tree"), 0);
    state.snapshot.next_id = j.at("next_id").get<std::uint64_t>();
    for (const auto& w : j.at("workers")) state.workers.push_back(worker_from(w));
    for (const auto& l : j.at("listen")) state.listen.push_back(listen_from(l));
    state.cgroup_instance = j.at("cgroup_instance").get<std::string>();
    state.listener_fd = j.at("listener").get<int>();
    state.record_path = j.at("record").at("path").get<std::string>();
    state.record_fd = j.at("record").at("fd").get<int>();
    state.event_seq = j.at("events").at("seq").get<std::uint64_t>();
    for (const auto& e : j.at("events").at("history")) state.history.push_back(event_from(e));
  } catch (const std::exception& e) {
    why = std::string("the reexec state's payload: ") + e.what();
    return false;
  }
  return true;
}

}  // namespace arbor::app
