// The supervisor's lifecycle and its job engine: starting all children in order,
// stopping them in reverse, and the mailbox that serialises everything else.
#include "daemon/core/supervisor.h"

#include <algorithm>

#include "daemon/core/worker.h"

namespace arbor::core {

Supervisor::Supervisor(Context& ctx, ChildObserver& observer, Supervisor* parent, SpecPtr spec,
                       std::string path)
    : Node(ctx, observer, parent, std::move(spec), std::move(path)),
      intensity_(spec_->supervisor->max_restarts, spec_->supervisor->max_seconds * 1000) {
  build_children();
}

Supervisor::~Supervisor() {
  // Children first: they unregister from the context, which outlives us.
  children_.clear();
}

Node* Supervisor::find_child(const std::string& id) const {
  auto it = by_id_.find(std::string_view(id));
  return it == by_id_.end() ? nullptr : it->second;
}

void Supervisor::build_children(bool keep_stops) {
  // A supervisor that starts again starts from its configured children: run-time
  // additions go, removed and ended ones come back, counters of kept ones stay, and so do
  // operator stops with `keep_stops` (boot: the state file's), else they end.
  std::vector<std::unique_ptr<Node>> old = std::move(children_);
  children_.clear();
  by_id_.clear();
  if (is_dynamic()) return;
  // By id, so a supervisor of many children rebuilds in O(children), not O(children²).
  std::unordered_map<std::string, std::unique_ptr<Node>*> reusable;
  for (auto& n : old) {
    if (n && !n->added_at_runtime) reusable.emplace(n->spec().id, &n);
  }
  for (const config::ChildSpec& cs : spec_->supervisor->children) {
    auto it = reusable.find(cs.id);
    if (it != reusable.end() && (*it->second)->spec().type == cs.type) {
      std::unique_ptr<Node>& same = *it->second;
      same->set_spec(child_spec(spec_, cs));
      if (!keep_stops) same->set_operator_stopped(false);
      by_id_.emplace(same->id_key(), same.get());
      children_.push_back(std::move(same));
    } else {
      add_child(child_spec(spec_, cs), false);
    }
  }
}

Node& Supervisor::add_child(SpecPtr spec, bool runtime) {
  std::string path = child_path(path_, spec->id);
  std::unique_ptr<Node> node;
  if (spec->is_worker()) {
    node = std::make_unique<Worker>(ctx_, *this, this, std::move(spec), std::move(path));
  } else {
    node = std::make_unique<Supervisor>(ctx_, *this, this, std::move(spec), std::move(path));
  }
  node->added_at_runtime = runtime;
  by_id_.emplace(node->id_key(), node.get());
  children_.push_back(std::move(node));
  return *children_.back();
}

void Supervisor::remove_child(NodeId child) {
  auto it = std::find_if(children_.begin(), children_.end(),
                         [&](const std::unique_ptr<Node>& n) { return n->id() == child; });
  if (it == children_.end()) return;
  ctx_.emit(Event{.type = EventType::removed, .path = (*it)->path()});
  by_id_.erase((*it)->id_key());
  children_.erase(it);
}

bool Supervisor::removed_when_ended(const Node& child) const {
  return is_dynamic() || child.spec().restart == config::RestartType::temporary;
}

config::ChildSpec Supervisor::current_spec() const {
  config::ChildSpec out;
  out.id = spec_->id;
  out.type = spec_->type;
  out.restart = spec_->restart;
  out.shutdown = spec_->shutdown;
  out.significant = spec_->significant;
  out.worker = spec_->worker;
  out.supervisor->strategy = spec_->supervisor->strategy;
  out.supervisor->max_restarts = spec_->supervisor->max_restarts;
  out.supervisor->max_seconds = spec_->supervisor->max_seconds;
  out.supervisor->auto_shutdown = spec_->supervisor->auto_shutdown;
  out.supervisor->max_children = spec_->supervisor->max_children;
  out.supervisor->child_template = spec_->supervisor->child_template;
  if (is_dynamic()) return out;
  for (const auto& child : children_) {
    out.supervisor->children.push_back(
        child->is_worker() ? child->spec() : static_cast<const Supervisor&>(*child).current_spec());
  }
  return out;
}

// ---- lifecycle --------------------------------------------------------------------

void Supervisor::start() {
  state_ = ChildState::starting;
  stop_requested_ = false;
  ending_ = Ending::none;
  auto_shutdown_exit_.reset();
  intensity_.set_limits(spec_->supervisor->max_restarts, spec_->supervisor->max_seconds * 1000);
  intensity_.reset();
  // At boot, children the operator had stopped (restored from the state file) stay
  // stopped, as if `arborctl stop` had just been run; the others start in their order.
  build_children(ctx_.booting() && !started_before_);
  started_before_ = true;
  Job job{.purpose = StartAll{}};
  for (const auto& child : children_) {
    if (!child->operator_stopped) job.to_start.push_back(child->id());
  }
  begin(std::move(job));
}

void Supervisor::stop() {
  switch (state_) {
    case ChildState::stopped:
    case ChildState::restarting:
      mark_stopped();
      notify([](ChildObserver& o, NodeId id) { o.child_stopped(id); });
      return;
    case ChildState::stopping:
      stop_requested_ = true;
      return;
    case ChildState::starting:
    case ChildState::running:
      stop_requested_ = true;
      begin_stop_all();
      return;
  }
}

void Supervisor::mark_stopped() {
  ctx_.cancel(restart_timer);
  state_ = ChildState::stopped;
}

void Supervisor::mark_restarting(Millis at) {
  state_ = ChildState::restarting;
  next_restart_at_ = at;
}

void Supervisor::begin_stop_all() {
  state_ = ChildState::stopping;
  for (Message& m : mailbox_) {
    if (m.kind == Message::Kind::command) m.reply(OpResult::failure(ErrorCode::busy, path_ + " is stopping"));
  }
  mailbox_.clear();
  Job job{.purpose = StopAll{}, .concurrent_stop = is_dynamic()};
  if (job_) {
    // Children the abandoned job is waiting on are stopped too, and awaited.
    abandon_job();
    job.stopping = job_->stopping;
    if (Node* starting = ctx_.node(job_->starting)) {
      starting->stop();
      job.stopping.insert(starting->id());
    }
    job_.reset();
  }
  for (auto it = children_.rbegin(); it != children_.rend(); ++it) {
    const Node& child = **it;
    if (child.state() != ChildState::stopped && job.stopping.count(child.id()) == 0) {
      job.to_stop.push_back(child.id());
    }
  }
  begin(std::move(job));
}

void Supervisor::begin_give_up() {
  ctx_.emit(Event{.type = EventType::gave_up, .path = path_});
  ++totals.gave_up;
  ending_ = Ending::gave_up;
  begin_stop_all();
}

// ---- what children tell us ----------------------------------------------------------

void Supervisor::child_started(NodeId child) {
  if (!job_ || job_->starting != child) return;
  job_->starting = 0;
  advance();
}

void Supervisor::child_start_failed(NodeId child, const Failure& failure) {
  if (!job_ || job_->starting != child) return;
  job_->starting = 0;
  if (Node* node = ctx_.node(child)) handle_start_failure(*node, failure);
}

void Supervisor::child_stopped(NodeId child) {
  Node* node = ctx_.node(child);
  const bool awaited = job_ && job_->stopping.erase(child) > 0;
  if (node != nullptr && node->state() == ChildState::stopped && removed_when_ended(*node))
    remove_child(child);
  if (awaited) advance();
}

void Supervisor::child_exited(NodeId child, ExitReason reason) {
  if (job_ && job_->stopping.count(child) > 0) {
    child_stopped(child);
    return;
  }
  if (job_) {
    auto it = std::find(job_->to_stop.begin(), job_->to_stop.end(), child);
    if (it != job_->to_stop.end()) {
      // About to be stopped by the job anyway: the exit is absorbed, as OTP's
      // shutdown/2 flushes the EXIT of a child it terminates.
      job_->to_stop.erase(it);
      Node* node = ctx_.node(child);
      if (node != nullptr && removed_when_ended(*node)) remove_child(child);
      return;
    }
  }
  if (state_ != ChildState::running && state_ != ChildState::starting) return;
  mailbox_.push_back(
      Message{.kind = Message::Kind::died, .child = child, .reason = reason, .cause = ctx_.cause()});
  schedule_pump();
}

// ---- mailbox ------------------------------------------------------------------------

void Supervisor::submit(std::function<void()> run, Reply reply) {
  if (state_ == ChildState::stopping || state_ == ChildState::stopped || state_ == ChildState::restarting) {
    reply(OpResult::failure(ErrorCode::busy, path_ + " is " + std::string(to_string(state_))));
    return;
  }
  mailbox_.push_back(Message{.kind = Message::Kind::command,
                             .run = std::move(run),
                             .reply = std::move(reply),
                             .cause = ctx_.cause()});
  schedule_pump();
}

void Supervisor::schedule_pump() {
  if (pump_scheduled_) return;
  pump_scheduled_ = true;
  Context& ctx = ctx_;
  const NodeId self = id_;
  ctx_.post([&ctx, self] {
    if (auto* sup = dynamic_cast<Supervisor*>(ctx.node(self))) sup->pump();
  });
}

void Supervisor::pump() {
  pump_scheduled_ = false;
  while (!job_ && !mailbox_.empty() && state_ == ChildState::running) {
    Message message = std::move(mailbox_.front());
    mailbox_.pop_front();
    ctx_.set_cause(message.cause);
    Node* child = message.kind == Message::Kind::command ? nullptr : ctx_.node(message.child);
    const bool ours = child != nullptr && child->parent() == this;
    switch (message.kind) {
      case Message::Kind::died:
        if (ours && child->state() == ChildState::stopped) handle_death(*child, message.reason);
        break;
      case Message::Kind::try_again:
        if (ours && child->state() == ChildState::restarting) restart(*child);
        break;
      case Message::Kind::due:
        if (ours && child->state() == ChildState::restarting) {
          ctx_.cancel(child->restart_timer);
          restart_now(message.child);
        }
        break;
      case Message::Kind::command:
        message.run();
        break;
    }
  }
}

}  // namespace arbor::core
