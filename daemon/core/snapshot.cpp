// reexec's half in the core: a quiet tree as plain values (snapshot.h), and the same tree
// rebuilt from them without spawning. Every field a node carries is read in capture_node
// and written back in restore_node, side by side.
#include "daemon/core/snapshot.h"

#include <unordered_map>

#include "daemon/core/supervisor.h"
#include "daemon/core/supervisor_tree.h"
#include "daemon/core/worker.h"

namespace arbor::core {

struct SnapshotAccess {
  static bool capture_node(const Node& node, NodeSnapshot& out, std::string& why);
  static bool capture_worker(const Worker& w, NodeSnapshot& out, std::string& why);
  static bool capture_supervisor(const Supervisor& s, NodeSnapshot& out, std::string& why);
  static bool restore_supervisor(Supervisor& s, const NodeSnapshot& in, std::string& why);
  static void restore_node(Supervisor& parent, Node& node, const NodeSnapshot& in);
  static void restore_worker(Worker& w, const NodeSnapshot& in);
  static bool capture_job(const Supervisor& s, NodeSnapshot& out);
  static bool restore_job(Supervisor& s, const NodeSnapshot& in, std::string& why);
};

// Only a job in its start phase: no stop pending, a start or a restart without a delay.
bool SnapshotAccess::capture_job(const Supervisor& s, NodeSnapshot& out) {
  const Job& job = *s.job_;
  if (!job.to_stop.empty() || !job.stopping.empty()) return false;
  if (const auto* start = std::get_if<StartAll>(&job.purpose); start != nullptr && !start->failure) {
    out.job = SnapshotJob::start_all;
  } else if (const auto* restart = std::get_if<Restart>(&job.purpose);
             restart != nullptr && restart->delay == 0) {
    out.job = SnapshotJob::restart;
  } else {
    return false;
  }
  const auto id_of = [&](NodeId id) -> const std::string* {
    const Node* n = s.ctx_.node(id);
    return n != nullptr && n->parent() == &s ? &n->spec().id : nullptr;
  };
  if (job.starting != 0) {
    const std::string* id = id_of(job.starting);
    if (id == nullptr) return false;
    out.job_starting = *id;
  }
  for (const NodeId n : job.to_start)
    if (const std::string* id = id_of(n)) out.job_to_start.push_back(*id);
  return true;
}

bool SnapshotAccess::restore_job(Supervisor& s, const NodeSnapshot& in, std::string& why) {
  Job job{.purpose = in.job == SnapshotJob::start_all ? JobPurpose{StartAll{}} : JobPurpose{Restart{}}};
  const auto id_of = [&](const std::string& child) -> NodeId {
    const Node* n = s.find_child(child);
    if (n == nullptr) why = child_path(s.path_, child) + ": in a job, not in the tree";
    return n != nullptr ? n->id() : 0;
  };
  if (!in.job_starting.empty() && (job.starting = id_of(in.job_starting)) == 0) return false;
  for (const std::string& child : in.job_to_start) {
    const NodeId id = id_of(child);
    if (id == 0) return false;
    job.to_start.push_back(id);
  }
  s.job_ = std::move(job);
  if (s.job_->starting == 0) s.advance();
  return true;
}

bool SnapshotAccess::capture_node(const Node& node, NodeSnapshot& out, std::string& why) {
  out.id = node.spec_->id;
  out.worker = node.is_worker();
  if (node.added_at_runtime) out.runtime_spec = node.spec_;
  out.restarts = node.restarts;
  out.operator_stopped = node.operator_stopped;
  out.restart_at = node.restart_timer != 0 ? node.next_restart_at_ : 0;
  return node.is_worker() ? capture_worker(static_cast<const Worker&>(node), out, why)
                          : capture_supervisor(static_cast<const Supervisor&>(node), out, why);
}

bool SnapshotAccess::capture_worker(const Worker& w, NodeSnapshot& out, std::string& why) {
  switch (w.state_) {
    case WorkerState::stopped:
      out.state = SnapshotState::stopped;
      break;
    case WorkerState::backoff:
      // A one_for_one delayed restart waits on its own timer; a group's waits in a job.
      if (w.restart_timer == 0) {
        why = w.path_ + " is waiting for a group restart";
        return false;
      }
      out.state = SnapshotState::backoff;
      break;
    case WorkerState::awaiting_ready:
      out.state = SnapshotState::awaiting_ready;
      break;
    case WorkerState::running:
      out.state = SnapshotState::running;
      break;
    case WorkerState::spawning:
    case WorkerState::cancelling:
    case WorkerState::failing:
    case WorkerState::stopping:
    case WorkerState::killing:
    case WorkerState::unhealthy:
    case WorkerState::unhealthy_kill:
      why = w.path_ + " is " + std::string(to_string(w.state_));
      return false;
  }
  out.token = w.token_;
  out.pid = w.pid_;
  out.started_at = w.started_at_;
  out.last_uptime = w.last_uptime_;
  out.consecutive_restarts = w.consecutive_restarts_;
  out.last_exit = w.last_exit_;
  out.status_text = w.status_text_.to_optional();
  out.health = w.health();
  out.health_failures = w.health_failures_;
  return true;
}

bool SnapshotAccess::capture_supervisor(const Supervisor& s, NodeSnapshot& out, std::string& why) {
  if (!s.mailbox_.empty() || s.pump_scheduled_ || (s.job_ && !capture_job(s, out))) {
    why = s.path_ + " is busy (a stop, a command or a message in progress)";
    return false;
  }
  if (s.state_ != ChildState::running && s.state_ != ChildState::stopped &&
      !(s.state_ == ChildState::starting && out.job == SnapshotJob::start_all)) {
    why = s.path_ + " is " + std::string(to_string(s.state_));
    return false;
  }
  out.supervisor_state = s.state_;
  out.intensity.assign(s.intensity_.history().begin(), s.intensity_.history().end());
  out.next_dynamic_id = s.next_dynamic_id_;
  out.children.reserve(s.children_.size());
  for (const auto& child : s.children_) {
    out.children.emplace_back();
    if (!capture_node(*child, out.children.back(), why)) return false;
  }
  return true;
}

void SnapshotAccess::restore_worker(Worker& w, const NodeSnapshot& in) {
  w.started_at_ = in.started_at;
  w.last_uptime_ = in.last_uptime;
  w.consecutive_restarts_ = in.consecutive_restarts;
  w.last_exit_ = in.last_exit;
  if (in.status_text) w.status_text_ = *in.status_text;
  if (in.health) w.health_ = *in.health;
  w.health_failures_ = in.health_failures;
  if (in.state != SnapshotState::running && in.state != SnapshotState::awaiting_ready) return;
  w.token_ = in.token;
  w.ctx_.adopt_spawn(in.token, &w);
  w.pid_ = in.pid;
  if (in.state == SnapshotState::running) {
    w.state_ = WorkerState::running;
    w.start_monitoring();  // probes and the watchdog begin a fresh interval
    return;
  }
  w.state_ = WorkerState::awaiting_ready;
  const config::Ready& ready = w.spec_->worker.ready;
  w.arm_ready_timer(in.started_at + ready.timeout_ms - w.ctx_.now());
  if (ready.kind == config::Ready::Kind::probe) w.perform_health(Worker::Action::tryready, {});
}

void SnapshotAccess::restore_node(Supervisor& parent, Node& node, const NodeSnapshot& in) {
  node.restarts = in.restarts;
  node.operator_stopped = in.operator_stopped;
  if (node.is_worker()) restore_worker(static_cast<Worker&>(node), in);
  if (in.restart_at != 0) parent.arm_restart(node, in.restart_at - node.ctx_.now());
}

bool SnapshotAccess::restore_supervisor(Supervisor& s, const NodeSnapshot& in, std::string& why) {
  s.state_ = in.supervisor_state;
  s.intensity_.restore(std::deque<Millis>(in.intensity.begin(), in.intensity.end()));
  s.next_dynamic_id_ = in.next_dynamic_id;
  // The configured children (build_children made them) in the snapshot's order, the run-time
  // ones made from their own specs; configured ones the snapshot lacks had been removed.
  std::unordered_map<std::string, std::unique_ptr<Node>> configured;
  for (auto& child : s.children_) configured.emplace(child->spec().id, std::move(child));
  s.children_.clear();
  s.by_id_.clear();
  for (const NodeSnapshot& c : in.children) {
    Node* node = nullptr;
    if (c.runtime_spec) {
      if (c.runtime_spec->is_worker() != c.worker || s.find_child(c.id) != nullptr) {
        why = child_path(s.path_, c.id) + ": the snapshot's run-time child does not fit";
        return false;
      }
      node = &s.add_child(c.runtime_spec, true);
    } else {
      auto it = configured.find(c.id);
      if (it == configured.end() || !it->second || it->second->is_worker() != c.worker) {
        why = child_path(s.path_, c.id) + ": not in the configured tree";
        return false;
      }
      node = it->second.get();
      s.by_id_.emplace(node->id_key(), node);
      s.children_.push_back(std::move(it->second));
    }
    if (!c.worker && !restore_supervisor(static_cast<Supervisor&>(*node), c, why)) return false;
    restore_node(s, *node, c);
  }
  return in.job == SnapshotJob::none || restore_job(s, in, why);
}

std::optional<TreeSnapshot> SupervisorTree::snapshot(std::string& why) const {
  if (!ctx_.idle()) {
    why = "the tree is handling an event";
    return std::nullopt;
  }
  TreeSnapshot out;
  out.root_spec = root_->spec();
  out.next_id = ctx_.next_id();
  if (!SnapshotAccess::capture_supervisor(*root_, out.root, why)) return std::nullopt;
  out.root.id = "/";
  out.root.worker = false;
  return out;
}

bool SupervisorTree::adopt(const TreeSnapshot& snapshot, Millis now, std::string& why) {
  ctx_.set_now(now);
  ctx_.skip_ids_to(snapshot.next_id);
  if (snapshot.root.worker) {
    why = "the snapshot's root is not a supervisor";
    return false;
  }
  const bool ok = SnapshotAccess::restore_supervisor(*root_, snapshot.root, why);
  ctx_.drain();
  return ok;
}

namespace {
void collect(const NodeSnapshot& node, const std::string& path, std::vector<SnapshotProcess>& out) {
  for (const NodeSnapshot& c : node.children) {
    const std::string p = child_path(path, c.id);
    if (c.worker && (c.state == SnapshotState::running || c.state == SnapshotState::awaiting_ready)) {
      out.push_back({c.token, p, c.pid});
    }
    if (!c.worker) collect(c, p, out);
  }
}
}  // namespace

std::vector<SnapshotProcess> processes(const TreeSnapshot& snapshot) {
  std::vector<SnapshotProcess> out;
  collect(snapshot.root, "/", out);
  return out;
}

}  // namespace arbor::core
