// ReexecState to bytes and back (reexec_state.h has the format). The payload is format 3's
// compact tokens (reexec_wire.h), each distinct child spec written once (reexec_specs.h):
// a few dozen bytes per worker, read in milliseconds; malformed input of any kind is an
// error with a reason, never a crash (fuzz/reexec_state_fuzz.cpp).
#include <exception>

#include <fmt/format.h>

#include "arbor_version.h"
#include "config/listen.h"
#include "daemon/app/reexec_specs.h"
#include "daemon/app/reexec_state.h"
#include "daemon/app/reexec_wire.h"

namespace arbor::app {

using nlohmann::json;

namespace {

constexpr int kMaxDepth = 64;

void exit_out(wire::Writer& w, const std::optional<core::ExitStatus>& e) {
  w.flag(e.has_value());
  if (!e) return;
  w.flag(e->signaled);
  w.num(e->value);
  w.flag(e->oom);
}

std::optional<core::ExitStatus> exit_in(wire::Reader& r) {
  if (!r.flag()) return std::nullopt;
  core::ExitStatus e;
  e.signaled = r.flag();
  e.value = r.num<int>();
  e.oom = r.flag();
  return e;
}

template <typename T>
void optional_out(wire::Writer& w, const std::optional<T>& v) {
  w.flag(v.has_value());
  if (v) w.num(*v);
}

template <typename T>
std::optional<T> optional_in(wire::Reader& r) {
  if (!r.flag()) return std::nullopt;
  return r.num<T>();
}

void strings_out(wire::Writer& w, const std::vector<std::string>& v) {
  w.num(v.size());
  for (const auto& s : v) w.str(s);
}

std::vector<std::string> strings_in(wire::Reader& r) {
  std::vector<std::string> v(r.count());
  for (auto& s : v) s = r.str();
  return v;
}

// One node: every field of core::NodeSnapshot, side by side with node_in().
void node_out(wire::Writer& w, SpecWriter& specs, const core::NodeSnapshot& n) {
  w.str(n.id);
  w.flag(n.worker);
  w.num(n.restarts);
  w.flag(n.operator_stopped);
  w.num(n.restart_at);
  w.flag(n.runtime_spec != nullptr);
  if (n.runtime_spec) specs.tree(*n.runtime_spec, w);
  if (n.worker) {
    w.num(static_cast<int>(n.state));
    w.num(n.token);
    w.num(n.pid);
    w.num(n.started_at);
    w.num(n.last_uptime);
    w.num(n.consecutive_restarts);
    exit_out(w, n.last_exit);
    w.flag(n.status_text.has_value());
    if (n.status_text) w.str(*n.status_text);
    w.flag(n.health.has_value());
    if (n.health) w.num(static_cast<int>(*n.health));
    w.num(n.health_failures);
    return;
  }
  w.num(static_cast<int>(n.supervisor_state));
  w.num(n.intensity.size());
  for (const auto t : n.intensity) w.num(t);
  w.num(n.next_dynamic_id);
  w.num(static_cast<int>(n.job));
  w.str(n.job_starting);
  strings_out(w, n.job_to_start);
  w.num(n.children.size());
  for (const auto& c : n.children) node_out(w, specs, c);
}

core::NodeSnapshot node_in(wire::Reader& r, const SpecReader& specs, int depth) {
  if (depth > kMaxDepth) throw std::out_of_range("the tree is nested too deeply");
  core::NodeSnapshot n;
  n.id = r.str();
  n.worker = r.flag();
  n.restarts = r.num<int>();
  n.operator_stopped = r.flag();
  n.restart_at = r.num<core::Millis>();
  if (r.flag()) n.runtime_spec = std::make_shared<const config::ChildSpec>(specs.tree(r));
  if (n.worker) {
    n.state = r.enumerator(core::SnapshotState::running);
    n.token = r.num<core::SpawnToken>();
    n.pid = r.num<int>();
    n.started_at = r.num<core::Millis>();
    n.last_uptime = r.num<core::Millis>();
    n.consecutive_restarts = r.num<int>();
    n.last_exit = exit_in(r);
    if (r.flag()) n.status_text = r.str();
    if (r.flag()) n.health = r.enumerator(core::HealthState::unhealthy);
    n.health_failures = r.num<int>();
    return n;
  }
  n.supervisor_state = r.enumerator(core::ChildState::restarting);
  n.intensity.resize(r.count());
  for (auto& t : n.intensity) t = r.num<core::Millis>();
  n.next_dynamic_id = r.num<std::uint64_t>();
  n.job = r.enumerator(core::SnapshotJob::restart);
  n.job_starting = r.str();
  n.job_to_start = strings_in(r);
  const std::size_t children = r.count();
  n.children.reserve(children);
  for (std::size_t i = 0; i < children; ++i) n.children.push_back(node_in(r, specs, depth + 1));
  return n;
}

void worker_out(wire::Writer& w, const host::HandoverWorker& h) {
  w.num(h.token);
  w.str(h.path);
  w.num(h.pid);
  w.num(h.pidfd);
  w.num(h.log_fd);
  w.str(h.log_pending);
  w.flag(h.ready_fd);
  w.num(h.ready_channel);
  w.str(h.notify_name);
  w.num(h.watchdog_channel);
  w.str(h.watchdog_name);
  w.str(h.cgroup);
  w.flag(h.cgroup_renew);
  optional_out(w, h.oom_kills);
}

host::HandoverWorker worker_in(wire::Reader& r) {
  host::HandoverWorker h;
  h.token = r.num<std::uint64_t>();
  h.path = r.str();
  h.pid = r.num<pid_t>();
  h.pidfd = r.num<int>();
  h.log_fd = r.num<int>();
  h.log_pending = r.str();
  h.ready_fd = r.flag();
  h.ready_channel = r.num<int>();
  h.notify_name = r.str();
  h.watchdog_channel = r.num<int>();
  h.watchdog_name = r.str();
  h.cgroup = r.str();
  h.cgroup_renew = r.flag();
  h.oom_kills = optional_in<std::uint64_t>(r);
  return h;
}

// A TCP address as configured, parsed again (config/listen.h).
config::Listen tcp_in(const std::string& address) {
  std::string why;
  auto parsed = config::parse_tcp_address(address, &why);
  if (!parsed) throw std::invalid_argument("listen " + address + ": " + why);
  return std::move(*parsed);
}

// A held socket: its spec as configured ("listen" of docs/CONFIG.md) and its descriptor.
void listen_out(wire::Writer& w, const host::HandoverListen& l) {
  w.str(l.path);
  w.flag(l.spec.kind == config::Listen::Kind::tcp);
  w.str(l.spec.address);
  w.str(l.spec.name);
  w.num(l.spec.mode);
  w.num(l.fd);
  w.num(l.dev);
  w.num(l.ino);
  w.num(l.mode);
  w.num(l.uid);
  w.num(l.gid);
}

host::HandoverListen listen_in(wire::Reader& r) {
  host::HandoverListen l;
  l.path = r.str();
  const bool tcp = r.flag();
  const std::string address = r.str();
  if (tcp) {
    l.spec = tcp_in(address);
  } else {
    l.spec.kind = config::Listen::Kind::unix_socket;
    l.spec.address = address;
  }
  l.spec.name = r.str();
  l.spec.mode = r.num<mode_t>();
  l.fd = r.num<int>();
  l.dev = r.num<dev_t>();
  l.ino = r.num<ino_t>();
  l.mode = r.num<mode_t>();
  l.uid = r.num<uid_t>();
  l.gid = r.num<gid_t>();
  return l;
}

// An event's strategy or command is a static string (core::Event): its number in `known`,
// -1 for none; read back as the same string, or null for a number this program does not know.
constexpr const char* kStrategies[] = {"one_for_one", "one_for_all", "rest_for_one"};
constexpr const char* kCommands[] = {"stop", "start", "restart", "remove", "add", "signal", "reload"};

template <std::size_t N>
void interned_out(wire::Writer& w, const char* name, const char* const (&known)[N]) {
  int at = -1;
  for (std::size_t i = 0; name != nullptr && i < N; ++i)
    if (std::string_view(name) == known[i]) at = static_cast<int>(i);
  w.num(at);
}

template <std::size_t N>
const char* interned_in(wire::Reader& r, const char* const (&known)[N]) {
  const int at = r.num<int>();
  return at >= 0 && static_cast<std::size_t>(at) < N ? known[at] : nullptr;
}

void event_out(wire::Writer& w, const events::StampedEvent& s) {
  const core::Event& e = s.event;
  w.num(s.seq);
  w.num(s.micros);
  w.num(static_cast<int>(e.type));
  w.str(e.path);
  optional_out(w, e.pid);
  exit_out(w, e.exit);
  w.num(static_cast<int>(e.reason));
  w.str(e.error);
  w.num(e.failures);
  w.flag(e.health);
  w.flag(e.watchdog);
  w.num(e.delay_ms);
  w.num(e.bytes);
  for (const int c : e.plan_counts) w.num(c);
  w.num(e.cause);
  interned_out(w, e.strategy, kStrategies);
  interned_out(w, e.command, kCommands);
  optional_out(w, e.uid);
}

events::StampedEvent event_in(wire::Reader& r) {
  events::StampedEvent s;
  s.seq = r.num<std::uint64_t>();
  s.micros = r.num<std::int64_t>();
  core::Event& e = s.event;
  e.type = r.enumerator(core::EventType::command);
  e.path = r.str();
  e.pid = optional_in<int>(r);
  e.exit = exit_in(r);
  e.reason = r.enumerator(core::ExitReason::abnormal);
  e.error = r.str();
  e.failures = r.num<int>();
  e.health = r.flag();
  e.watchdog = r.flag();
  e.delay_ms = r.num<core::Millis>();
  e.bytes = r.num<std::uint64_t>();
  for (int& c : e.plan_counts) c = r.num<int>();
  e.cause = r.num<std::uint64_t>();
  e.strategy = interned_in(r, kStrategies);
  e.command = interned_in(r, kCommands);
  e.uid = optional_in<std::uint32_t>(r);
  return s;
}

// The top-level settings (config::TreeSpec but its root): every one of them, so that the
// new program runs with the same (one added to TreeSpec must be added here).
void settings_out(wire::Writer& w, const config::TreeSpec& t) {
  w.str(t.socket);
  w.str(t.log_dir);
  w.str(t.state_file);
  w.num(t.logs.max_bytes);
  w.num(t.logs.keep);
  w.num(static_cast<int>(t.auto_shutdown_exit_code));
  w.num(static_cast<int>(t.cgroups));
  w.flag(t.metrics.listen.has_value());
  if (t.metrics.listen) {
    w.str(t.metrics.listen->address);
    w.str(t.metrics.listen->name);
  }
}

void settings_in(wire::Reader& r, config::TreeSpec& t) {
  t.socket = r.str();
  t.log_dir = r.str();
  t.state_file = r.str();
  t.logs.max_bytes = r.num<std::uint64_t>();
  t.logs.keep = r.num<int>();
  t.auto_shutdown_exit_code = r.enumerator(config::AutoShutdownExitCode::child);
  t.cgroups = r.enumerator(config::CgroupsMode::off);
  if (r.flag()) {
    t.metrics.listen = tcp_in(r.str());
    t.metrics.listen->name = r.str();
  }
}

}  // namespace

std::string encode(const ReexecState& state) {
  const ReexecHeader& h = state.header;
  wire::Writer w;
  w.bytes() = encode_header(h);
  // The specs are numbered while the trees are written, and the table goes first: the
  // trees are written aside, then appended.
  SpecWriter specs;
  wire::Writer trees;
  specs.tree(state.snapshot.root_spec, trees);
  node_out(trees, specs, state.snapshot.root);
  strings_out(w, state.argv);
  w.str(state.config_path);
  settings_out(w, state.tree);
  specs.table(w);
  w.bytes() += trees.bytes();
  w.num(state.snapshot.next_id);
  w.num(state.workers.size());
  for (const auto& worker : state.workers) worker_out(w, worker);
  w.num(state.listen.size());
  for (const auto& l : state.listen) listen_out(w, l);
  w.str(state.cgroup_instance);
  w.num(state.listener_fd);
  w.str(state.record_path);
  w.num(state.record_fd);
  w.num(state.event_seq);
  w.num(state.history.size());
  for (const auto& e : state.history) event_out(w, e);
  return std::move(w.bytes());
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
    wire::Reader r(bytes.substr(start + 2));
    state.argv = strings_in(r);
    state.config_path = r.str();
    settings_in(r, state.tree);
    SpecReader specs;
    specs.table(r);
    state.snapshot.root_spec = specs.tree(r, true);
    state.snapshot.root = node_in(r, specs, 0);
    state.snapshot.next_id = r.num<std::uint64_t>();
    const std::size_t workers = r.count();
    state.workers.reserve(workers);
    for (std::size_t i = 0; i < workers; ++i) state.workers.push_back(worker_in(r));
    const std::size_t listen = r.count();
    for (std::size_t i = 0; i < listen; ++i) state.listen.push_back(listen_in(r));
    state.cgroup_instance = r.str();
    state.listener_fd = r.num<int>();
    state.record_path = r.str();
    state.record_fd = r.num<int>();
    state.event_seq = r.num<std::uint64_t>();
    const std::size_t history = r.count();
    state.history.reserve(history);
    for (std::size_t i = 0; i < history; ++i) state.history.push_back(event_in(r));
    if (!r.done()) throw std::invalid_argument("bytes after the end");
  } catch (const std::exception& e) {
    why = std::string("the reexec state's payload: ") + e.what();
    return false;
  }
  return true;
}

}  // namespace arbor::app
