#include "daemon/core/supervisor_tree.h"

#include "daemon/core/supervisor.h"
#include "daemon/core/worker.h"

namespace arbor::core {

SupervisorTree::SupervisorTree(Host& host, config::ChildSpec root) : ctx_(host) {
  root.id.assign(1, '/');  // not = "/": GCC 12 -O3 warns -Wrestrict falsely
  ChildObserver& observer = *this;
  root_ = std::make_unique<Supervisor>(ctx_, observer, nullptr,
                                       std::make_shared<const config::ChildSpec>(std::move(root)), "/");
}

SupervisorTree::~SupervisorTree() = default;

void SupervisorTree::boot(Millis now) {
  enter(now);
  ctx_.set_booting(true);
  root_->start();
  drain();
}

void SupervisorTree::shutdown(Millis now) {
  enter(now);
  ctx_.set_booting(false);
  root_->stop();
  drain();
}

void SupervisorTree::on_spawned(SpawnToken token, int pid, Millis now) {
  enter(now);
  if (Worker* w = ctx_.spawn(token)) w->on_spawned(pid);
  drain();
}

void SupervisorTree::on_spawn_failed(SpawnToken token, const std::string& error, Millis now) {
  enter(now);
  if (Worker* w = ctx_.spawn(token)) w->on_spawn_failed(error);
  drain();
}

void SupervisorTree::on_ready(SpawnToken token, Millis now) {
  enter(now);
  if (Worker* w = ctx_.spawn(token)) w->on_ready();
  drain();
}

void SupervisorTree::on_probe_result(SpawnToken token, std::uint64_t seq, bool passed,
                                     const std::string& error, Millis now) {
  enter(now);
  if (Worker* w = ctx_.spawn(token)) w->on_probe_result(seq, passed, error);
  drain();
}

void SupervisorTree::on_watchdog(SpawnToken token, bool trigger, Millis now) {
  enter(now);
  if (Worker* w = ctx_.spawn(token)) w->on_watchdog(trigger);
  drain();
}

void SupervisorTree::on_status_text(SpawnToken token, std::string text) {
  if (Worker* w = ctx_.spawn(token)) w->on_status_text(std::move(text));
}

void SupervisorTree::on_log_dropped(const std::string& path, std::uint64_t bytes) {
  if (Node* node = find(path)) node->totals.log_dropped_bytes += bytes;
  ctx_.emit(Event{.type = EventType::log_dropped, .path = path, .bytes = bytes});
}

void SupervisorTree::on_exited(SpawnToken token, ExitStatus status, Millis now) {
  enter(now);
  if (Worker* w = ctx_.spawn(token)) w->on_exited(status);
  drain();
}

void SupervisorTree::on_timer(TimerToken token, Millis now) {
  enter(now);
  ctx_.fire(token);
  drain();
}

Node* SupervisorTree::find(const std::string& path) const {
  if (path.empty() || path == "/") return root_.get();
  Node* node = root_.get();
  std::size_t pos = path.front() == '/' ? 1 : 0;
  while (pos <= path.size()) {
    const std::size_t slash = path.find('/', pos);
    const std::string id = path.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
    if (node->is_worker() || id.empty()) return nullptr;
    node = static_cast<Supervisor*>(node)->find_child(id);
    if (node == nullptr) return nullptr;
    if (slash == std::string::npos) break;
    pos = slash + 1;
  }
  return node;
}

void SupervisorTree::command_event(const Origin& origin, const std::string& path) {
  if (origin.command == nullptr) return;
  ctx_.emit(Event{.type = EventType::command, .path = path, .command = origin.command, .uid = origin.uid});
}

template <typename Op>
void SupervisorTree::on_child(const std::string& path, const Reply& reply, Millis now, const Origin& origin,
                              Op op) {
  enter(now);
  command_event(origin, path);
  Node* node = find(path);
  if (node == nullptr) {
    reply(OpResult::failure(ErrorCode::not_found, "no child at " + path));
  } else if (node->parent() == nullptr) {
    reply(
        OpResult::failure(ErrorCode::bad_request, "the root supervisor cannot be the target; use shutdown"));
  } else {
    op(*node->parent(), node->id());
  }
  drain();
}

void SupervisorTree::stop(const std::string& path, const Reply& reply, Millis now, const Origin& origin) {
  on_child(path, reply, now, origin, [&](Supervisor& sup, NodeId id) { sup.op_stop(id, saving(reply)); });
}

void SupervisorTree::start(const std::string& path, const Reply& reply, Millis now, const Origin& origin) {
  on_child(path, reply, now, origin, [&](Supervisor& sup, NodeId id) { sup.op_start(id, saving(reply)); });
}

void SupervisorTree::restart(const std::string& path, const Reply& reply, Millis now, const Origin& origin) {
  on_child(path, reply, now, origin, [&](Supervisor& sup, NodeId id) { sup.op_restart(id, saving(reply)); });
}

void SupervisorTree::remove(const std::string& path, const Reply& reply, Millis now, const Origin& origin) {
  on_child(path, reply, now, origin, [&](Supervisor& sup, NodeId id) { sup.op_remove(id, saving(reply)); });
}

void SupervisorTree::add(const std::string& supervisor_path, config::ChildSpec spec, const Reply& reply,
                         Millis now, const Origin& origin) {
  enter(now);
  command_event(origin, supervisor_path);
  Node* node = find(supervisor_path);
  if (node == nullptr) {
    reply(OpResult::failure(ErrorCode::not_found, "no supervisor at " + supervisor_path));
  } else if (node->is_worker()) {
    reply(OpResult::failure(ErrorCode::bad_request, node->path() + " is a worker, not a supervisor"));
  } else {
    static_cast<Supervisor*>(node)->op_add(std::move(spec), saving(reply));
  }
  drain();
}

void SupervisorTree::add_dynamic(const std::string& supervisor_path, std::vector<std::string> args,
                                 const Reply& reply, Millis now, const Origin& origin) {
  enter(now);
  command_event(origin, supervisor_path);
  Node* node = find(supervisor_path);
  if (node == nullptr) {
    reply(OpResult::failure(ErrorCode::not_found, "no supervisor at " + supervisor_path));
  } else if (node->is_worker()) {
    reply(OpResult::failure(ErrorCode::bad_request, node->path() + " is a worker, not a supervisor"));
  } else {
    static_cast<Supervisor*>(node)->op_add_dynamic(std::move(args), saving(reply));
  }
  drain();
}

OpResult SupervisorTree::signal(const std::string& path, int signo, const Origin& origin) {
  Node* node = find(path);
  if (node == nullptr) return OpResult::failure(ErrorCode::not_found, "no child at " + path);
  ctx_.set_cause(0);
  command_event(origin, path);  // an exit the signal brings points at it
  // A supervisor passes the signal to every running worker below it.
  int sent = 0;
  std::vector<Node*> todo{node};
  while (!todo.empty()) {
    Node* n = todo.back();
    todo.pop_back();
    if (n->is_worker()) {
      sent += static_cast<Worker*>(n)->send_signal(signo) ? 1 : 0;
    } else {
      for (const auto& c : static_cast<Supervisor*>(n)->children()) todo.push_back(c.get());
    }
  }
  if (sent == 0) return OpResult::failure(ErrorCode::bad_request, node->path() + " has no running process");
  return OpResult::success();
}

std::optional<StatusNode> SupervisorTree::status(const std::string& path) const {
  const Node* node = find(path);
  if (node == nullptr) return std::nullopt;
  return status_of(*node);
}

std::optional<Counts> SupervisorTree::count(const std::string& path, std::string* error) const {
  const Node* node = find(path);
  if (node == nullptr || node->is_worker()) {
    if (error != nullptr) *error = node == nullptr ? "not_found" : "bad_request";
    return std::nullopt;
  }
  Counts counts;
  for (const auto& child : static_cast<const Supervisor*>(node)->children()) {
    ++counts.specs;
    const ChildState s = child->state();
    if (s == ChildState::starting || s == ChildState::running || s == ChildState::stopping) ++counts.active;
    if (child->is_worker()) {
      ++counts.workers;
    } else {
      ++counts.supervisors;
    }
  }
  return counts;
}

std::optional<config::ChildSpec> SupervisorTree::spec(const std::string& path) const {
  const Node* node = find(path);
  if (node == nullptr) return std::nullopt;
  if (node->is_worker()) return node->spec();
  return static_cast<const Supervisor*>(node)->current_spec();
}

// ---- operator stops kept across restarts of arbord (the state file) -----------------

std::vector<std::string> SupervisorTree::restore_operator_stops(const std::vector<std::string>& paths) {
  std::vector<std::string> dropped;
  for (const std::string& path : paths) {
    Node* node = find(path);
    if (node == nullptr || node->parent() == nullptr || node->added_at_runtime) {
      dropped.push_back(path);
      continue;
    }
    node->operator_stopped = true;
  }
  ctx_.take_stops_changed();
  // What the host keeps from now on; it compares this with what it read (a path dropped,
  // "/web" for "web", a path twice) and rewrites the file if they differ.
  saved_stops_ = operator_stopped_paths();
  return dropped;
}

std::vector<std::string> SupervisorTree::operator_stopped_paths() const {
  std::vector<std::string> out;
  // Depth first, in each supervisor's order; children added at run time (and a dynamic
  // supervisor's, which all are) are not in the configuration.
  std::vector<const Node*> todo{root_.get()};
  while (!todo.empty()) {
    const Node* n = todo.back();
    todo.pop_back();
    if (n->added_at_runtime) continue;
    if (n->operator_stopped) out.push_back(n->path());
    if (n->is_worker()) continue;
    const auto& children = static_cast<const Supervisor*>(n)->children();
    for (auto it = children.rbegin(); it != children.rend(); ++it) todo.push_back(it->get());
  }
  return out;
}

void SupervisorTree::drain() {
  ctx_.drain();
  save_stops();
}

void SupervisorTree::save_stops() {
  if (!ctx_.take_stops_changed()) return;
  std::vector<std::string> paths = operator_stopped_paths();
  if (paths == saved_stops_) return;
  saved_stops_ = std::move(paths);
  ctx_.host().save_operator_stops(saved_stops_);
}

Reply SupervisorTree::saving(Reply reply) {
  return [this, reply = std::move(reply)](const OpResult& result) {
    save_stops();
    reply(result);
  };
}

// ---- the root's parent --------------------------------------------------------------

void SupervisorTree::child_started(NodeId) {
  ctx_.set_booting(false);
  ctx_.host().outcome(Outcome{.kind = OutcomeKind::booted});
}

void SupervisorTree::child_start_failed(NodeId, const Failure& failure) {
  ctx_.set_booting(false);
  ctx_.host().outcome(
      Outcome{.kind = OutcomeKind::boot_failed, .path = failure.path, .error = failure.error});
}

void SupervisorTree::child_stopped(NodeId) { ctx_.host().outcome(Outcome{.kind = OutcomeKind::stopped}); }

void SupervisorTree::child_exited(NodeId, ExitReason) {
  if (root_->gave_up()) return ctx_.host().outcome(Outcome{.kind = OutcomeKind::gave_up});
  ctx_.host().outcome(Outcome{.kind = OutcomeKind::auto_shutdown, .exit = root_->auto_shutdown_exit()});
}

}  // namespace arbor::core
