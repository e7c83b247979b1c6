// The supervisor's lifecycle and its job engine: starting all children in order,
// stopping them in reverse, and the mailbox that serialises everything else.
#include "daemon/core/supervisor.h"

#include <algorithm>

#include "daemon/core/worker.h"

namespace arbor::core {

Supervisor::Supervisor(Context& ctx, ChildObserver& observer, Supervisor* parent, SpecPtr spec, std::string path)
    : Node(ctx, observer, parent, std::move(spec), std::move(path)),
      intensity_(spec_->supervisor.max_restarts, spec_->supervisor.max_seconds * 1000) {
  build_children();
}

Supervisor::~Supervisor() {
  // Children first: they unregister from the context, which outlives us.
  children_.clear();
}

namespace {
// A child's id as the tail of its path ("web/api" -> "api"), stable for the node's life.
std::string_view id_key(const Node& node) {
  const std::string_view path = node.path();
  const auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}
}  // namespace

Node* Supervisor::find_child(const std::string& id) const {
  auto it = by_id_.find(std::string_view(id));
  return it == by_id_.end() ? nullptr : it->second;
}

void Supervisor::build_children() {
  // A supervisor that starts again starts from its configured children: run-time
  // additions go, removed and ended ones come back, counters of kept ones stay.
  std::vector<std::unique_ptr<Node>> old = std::move(children_);
  children_.clear();
  by_id_.clear();
  if (is_dynamic()) return;
  // By id, so a supervisor of many children rebuilds in O(children), not O(children²).
  std::unordered_map<std::string, std::unique_ptr<Node>*> reusable;
  for (auto& n : old) {
    if (n && !n->added_at_runtime) reusable.emplace(n->spec().id, &n);
  }
  for (const config::ChildSpec& cs : spec_->supervisor.children) {
    auto it = reusable.find(cs.id);
    if (it != reusable.end() && (*it->second)->spec().type == cs.type) {
      std::unique_ptr<Node>& same = *it->second;
      same->set_spec(child_spec(spec_, cs));
      same->operator_stopped = false;
      by_id_.emplace(id_key(*same), same.get());
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
  by_id_.emplace(id_key(*node), node.get());
  children_.push_back(std::move(node));
  return *children_.back();
}

void Supervisor::remove_child(NodeId child) {
  auto it = std::find_if(children_.begin(), children_.end(),
                         [&](const std::unique_ptr<Node>& n) { return n->id() == child; });
  if (it == children_.end()) return;
  ctx_.emit(Event{.type = EventType::removed, .path = (*it)->path()});
  by_id_.erase(id_key(**it));
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
  out.supervisor.strategy = spec_->supervisor.strategy;
  out.supervisor.max_restarts = spec_->supervisor.max_restarts;
  out.supervisor.max_seconds = spec_->supervisor.max_seconds;
  out.supervisor.auto_shutdown = spec_->supervisor.auto_shutdown;
  out.supervisor.max_children = spec_->supervisor.max_children;
  out.supervisor.child_template = spec_->supervisor.child_template;
  if (is_dynamic()) return out;
  for (const auto& child : children_) {
    out.supervisor.children.push_back(child->is_worker() ? child->spec()
                                                         : static_cast<const Supervisor&>(*child).current_spec());
  }
  return out;
}

// ---- lifecycle --------------------------------------------------------------------

void Supervisor::start() {
  state_ = ChildState::starting;
  stop_requested_ = false;
  ending_ = Ending::none;
  intensity_.set_limits(spec_->supervisor.max_restarts, spec_->supervisor.max_seconds * 1000);
  intensity_.reset();
  build_children();
  Job job{.kind = JobKind::start_all};
  for (const auto& child : children_) job.to_start.push_back(child->id());
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

void Supervisor::begin_stop_all() {
  state_ = ChildState::stopping;
  for (Message& m : mailbox_) {
    if (m.kind == Message::Kind::command) m.reply(OpResult::failure(ErrorCode::busy, path_ + " is stopping"));
  }
  mailbox_.clear();
  Job job{.kind = JobKind::stop_all, .concurrent_stop = is_dynamic()};
  if (job_) {
    // Children the abandoned job is waiting on are stopped too, and awaited.
    if (job_->reply) job_->reply(OpResult::failure(ErrorCode::busy, path_ + " is stopping"));
    if (job_->on_done) job_->on_done();
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
  ending_ = Ending::gave_up;
  begin_stop_all();
}

// ---- job engine -------------------------------------------------------------------

void Supervisor::begin(Job job) {
  job_ = std::move(job);
  advance();
}

void Supervisor::advance() {
  while (job_) {
    Job& job = *job_;
    if (!job.stopping.empty() || job.starting != 0) return;  // waiting for a child
    if (!job.to_stop.empty()) {
      std::deque<NodeId> batch;
      if (job.concurrent_stop) {
        batch.swap(job.to_stop);
      } else {
        batch.push_back(job.to_stop.front());
        job.to_stop.pop_front();
      }
      for (NodeId id : batch) {
        Node* child = ctx_.node(id);
        if (child == nullptr || child->parent() != this || child->state() == ChildState::stopped) continue;
        job.stopping.insert(id);
        child->stop();
      }
      continue;
    }
    if (job.after_stops) {
      auto fn = std::move(job.after_stops);
      job.after_stops = nullptr;
      fn();
      continue;
    }
    if (job.delay > 0) {
      // Group backoff: the stops are done; every child of the group waits for the delay.
      const Millis at = ctx_.now() + job.delay;
      for (NodeId id : job.to_start) {
        Node* child = ctx_.node(id);
        if (child == nullptr || child->parent() != this) continue;
        child->mark_restarting(at);
        Context& ctx = ctx_;
        const NodeId self = id_;
        child->restart_timer = ctx_.arm(job.delay, [&ctx, self, id] {
          if (auto* sup = dynamic_cast<Supervisor*>(ctx.node(self))) {
            sup->mailbox_.push_back(Message{.kind = Message::Kind::due, .child = id});
            sup->schedule_pump();
          }
        });
      }
      job_.reset();
      schedule_pump();
      return;
    }
    if (!job.to_start.empty()) {
      const NodeId id = job.to_start.front();
      job.to_start.pop_front();
      Node* child = ctx_.node(id);
      if (child == nullptr || child->parent() != this) {
        if (job.kind == JobKind::op_restart) {
          job.result = OpResult::failure(ErrorCode::not_found, "the child was removed when it stopped");
        }
        continue;
      }
      if (job.automatic) ++child->restarts;
      job.starting = id;
      child->start();
      continue;
    }
    finish_job();
    return;
  }
}

void Supervisor::finish_job() {
  Job job = std::move(*job_);
  job_.reset();
  switch (job.kind) {
    case JobKind::start_all:
      if (job.failure) {
        state_ = ChildState::stopped;
        const Failure failure = *job.failure;
        notify([failure](ChildObserver& o, NodeId id) { o.child_start_failed(id, failure); });
      } else {
        state_ = ChildState::running;
        ctx_.emit(Event{.type = EventType::started, .path = path_});
        notify([](ChildObserver& o, NodeId id) { o.child_started(id); });
      }
      break;
    case JobKind::stop_all: {
      state_ = ChildState::stopped;
      intensity_.reset();
      ctx_.emit(Event{.type = EventType::exited, .path = path_, .reason = ExitReason::shutdown});
      if (stop_requested_) {
        notify([](ChildObserver& o, NodeId id) { o.child_stopped(id); });
      } else {
        notify([](ChildObserver& o, NodeId id) { o.child_exited(id, ExitReason::shutdown); });
      }
      return;  // nothing more for a stopped supervisor to handle
    }
    case JobKind::restart:
      break;
    case JobKind::reload:
      if (job.on_done) job.on_done();
      break;
    case JobKind::op_start:
    case JobKind::op_stop:
    case JobKind::op_restart:
    case JobKind::op_add:
      if (job.reply) job.reply(job.result.value_or(OpResult::success()));
      break;
  }
  schedule_pump();
}

void Supervisor::handle_start_failure(Node& child, const Failure& failure) {
  Job& job = *job_;
  const std::string text = failure.path + ": " + failure.error;
  switch (job.kind) {
    case JobKind::start_all:
      // OTP's init failing: stop what was started, in reverse, then report upwards.
      job.failure = failure;
      job.to_start.clear();
      for (auto it = children_.rbegin(); it != children_.rend(); ++it) {
        if ((*it)->state() != ChildState::stopped) job.to_stop.push_back((*it)->id());
      }
      break;
    case JobKind::restart:
      // try_again_restart: retried through the mailbox, counted again, after other messages.
      child.mark_restarting(ctx_.now());
      mailbox_.push_back(Message{.kind = Message::Kind::try_again, .child = child.id()});
      job.to_start.clear();
      break;
    case JobKind::op_start:
    case JobKind::op_restart:
      job.result = OpResult::failure(ErrorCode::start_failed, text);
      break;
    case JobKind::op_add:
      job.result = OpResult::failure(ErrorCode::start_failed, text);
      remove_child(child.id());  // OTP keeps no spec for a child that failed to start
      break;
    case JobKind::reload:
      break;  // the child stays stopped; the reload goes on with the others
    case JobKind::stop_all:
    case JobKind::op_stop:
      break;
  }
  advance();
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
  if (node != nullptr && node->state() == ChildState::stopped && removed_when_ended(*node)) remove_child(child);
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
  mailbox_.push_back(Message{.kind = Message::Kind::died, .child = child, .reason = reason});
  schedule_pump();
}

// ---- mailbox ------------------------------------------------------------------------

void Supervisor::submit(std::function<void()> run, Reply reply) {
  if (state_ == ChildState::stopping || state_ == ChildState::stopped || state_ == ChildState::restarting) {
    reply(OpResult::failure(ErrorCode::busy, path_ + " is " + std::string(to_string(state_))));
    return;
  }
  mailbox_.push_back(Message{.kind = Message::Kind::command, .run = std::move(run), .reply = std::move(reply)});
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
