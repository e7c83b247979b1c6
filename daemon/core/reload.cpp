// reload: the plan (a pure comparison of the running tree with the new file) and its
// application, one supervisor at a time through each supervisor's mailbox.
#include "daemon/core/reload.h"

#include <algorithm>
#include <memory>

#include "daemon/core/supervisor.h"
#include "daemon/core/supervisor_tree.h"

namespace arbor::core {

ChildDiff diff_worker(const config::ChildSpec& a, const config::ChildSpec& b) {
  const config::WorkerSpec& x = a.worker;
  const config::WorkerSpec& y = b.worker;
  if (a.type != b.type) return {ReloadAction::restart, "type"};
  const std::pair<bool, const char*> restart_fields[] = {{x.command != y.command, "command"},
                                                         {x.env != y.env, "env"},
                                                         {x.cwd != y.cwd, "cwd"},
                                                         {x.user != y.user || x.uid != y.uid, "user"},
                                                         {x.group != y.group || x.gid != y.gid, "group"},
                                                         {x.umask != y.umask, "umask"},
                                                         {x.stdout_spec != y.stdout_spec, "stdout"},
                                                         {x.stderr_spec != y.stderr_spec, "stderr"},
                                                         {x.ready != y.ready, "ready"},
                                                         {x.listen != y.listen, "listen"},
                                                         {a.limits != b.limits, "limits"},
                                                         {x.health != y.health, "health"},
                                                         {x.watchdog_ms != y.watchdog_ms, "watchdog"}};
  for (const auto& [differs, name] : restart_fields) {
    if (differs) return {ReloadAction::restart, name};
  }
  const std::pair<bool, const char*> update_fields[] = {
      {a.restart != b.restart, "restart"},
      {a.shutdown != b.shutdown, "shutdown"},
      {a.significant != b.significant, "significant"},
      {x.stop_signal != y.stop_signal, "stop_signal"},
      {x.success_exit_codes != y.success_exit_codes, "success_exit_codes"},
      {x.backoff != y.backoff, "backoff"}};
  for (const auto& [differs, name] : update_fields) {
    if (differs) return {ReloadAction::update, name};
  }
  return {};
}

ChildDiff diff_supervisor(const config::ChildSpec& a, const config::ChildSpec& b) {
  if (a.type != b.type) return {ReloadAction::restart, "type"};
  const config::SupervisorSpec& x = *a.supervisor;
  const config::SupervisorSpec& y = *b.supervisor;
  const bool same_template = (!x.child_template && !y.child_template) ||
                             (x.child_template && y.child_template && *x.child_template == *y.child_template);
  const std::pair<bool, const char*> fields[] = {{x.strategy != y.strategy, "strategy"},
                                                 {x.max_restarts != y.max_restarts, "max_restarts"},
                                                 {x.max_seconds != y.max_seconds, "max_seconds"},
                                                 {x.auto_shutdown != y.auto_shutdown, "auto_shutdown"},
                                                 {x.max_children != y.max_children, "max_children"},
                                                 {!same_template, "template"},
                                                 {a.restart != b.restart, "restart"},
                                                 {a.shutdown != b.shutdown, "shutdown"},
                                                 {a.significant != b.significant, "significant"},
                                                 {a.limits != b.limits, "limits"}};
  for (const auto& [differs, name] : fields) {
    if (differs) return {ReloadAction::update, name};
  }
  return {};
}

namespace {

const config::ChildSpec* find_spec(const std::vector<config::ChildSpec>& specs, const std::string& id) {
  auto it = std::find_if(specs.begin(), specs.end(), [&](const config::ChildSpec& s) { return s.id == id; });
  return it == specs.end() ? nullptr : &*it;
}

// Every path of a subtree that appears or disappears as a whole.
void plan_whole(const config::ChildSpec& spec, const std::string& path, ReloadAction action,
                std::vector<PlanEntry>& out) {
  out.push_back({path, action, action == ReloadAction::add ? "new" : "gone"});
  for (const auto& c : spec.supervisor->children) plan_whole(c, child_path(path, c.id), action, out);
}

void plan_supervisor(const Supervisor& sup, const config::ChildSpec& spec, std::vector<PlanEntry>& out) {
  for (const config::ChildSpec& c : spec.supervisor->children) {
    const std::string path = child_path(sup.path(), c.id);
    const Node* old = sup.find_child(c.id);
    if (old == nullptr) {
      plan_whole(c, path, ReloadAction::add, out);
      continue;
    }
    const ChildDiff d = old->is_worker() ? diff_worker(old->spec(), c) : diff_supervisor(old->spec(), c);
    out.push_back({path, d.action, d.reason});
    if (!old->is_worker() && d.action != ReloadAction::restart && !sup.is_dynamic()) {
      plan_supervisor(static_cast<const Supervisor&>(*old), c, out);
    }
  }
  for (const auto& child : sup.children()) {
    if (find_spec(spec.supervisor->children, child->spec().id) != nullptr) continue;
    if (child->added_at_runtime || sup.is_dynamic()) {
      out.push_back({child->path(), ReloadAction::unchanged, "added at run time"});
    } else {
      plan_whole(child->is_worker() ? child->spec() : static_cast<const Supervisor&>(*child).current_spec(),
                 child->path(), ReloadAction::remove, out);
    }
  }
}

}  // namespace

ReloadPlan SupervisorTree::plan_reload(const config::ChildSpec& new_root) const {
  ReloadPlan plan;
  config::ChildSpec root_spec = new_root;
  root_spec.id.assign(1, '/');  // not = "/": GCC 12 -O3 warns -Wrestrict falsely
  const ChildDiff d = diff_supervisor(root_->spec(), root_spec);
  plan.entries.push_back({"/", d.action, d.reason});
  plan_supervisor(*root_, root_spec, plan.entries);
  return plan;
}

void SupervisorTree::apply_reload(const config::ChildSpec& new_root,
                                  std::function<void(const ReloadPlan&)> done, Millis now,
                                  const Origin& origin) {
  enter(now);
  command_event(origin, "/");
  const std::uint64_t cause = ctx_.cause();
  ReloadPlan plan = plan_reload(new_root);
  config::ChildSpec root_spec = new_root;
  root_spec.id.assign(1, '/');  // not = "/": GCC 12 -O3 warns -Wrestrict falsely
  Context& ctx = ctx_;
  // A child the reload removed takes its operator stop with it: saved before the answer.
  root_->op_reload(std::make_shared<const config::ChildSpec>(std::move(root_spec)),
                   [this, &ctx, plan, cause, done = std::move(done)] {
                     Event e{.type = EventType::reloaded, .path = "/"};
                     ctx.set_cause(cause);
                     for (const PlanEntry& entry : plan.entries) {
                       ++e.plan_counts[static_cast<std::size_t>(entry.action)];
                     }
                     ctx.emit(e);
                     save_stops();
                     done(plan);
                   });
  drain();
}

// ---- applying it, one supervisor at a time ----------------------------------------------

void Supervisor::apply_settings(SpecPtr spec) {
  // The new spec whole (children included: they alias into it), under this node's name.
  if (spec->id != spec_->id || spec->type != spec_->type) {
    auto renamed = std::make_shared<config::ChildSpec>(*spec);
    renamed->id = spec_->id;
    renamed->type = spec_->type;
    spec = std::move(renamed);
  }
  spec_ = std::move(spec);
  intensity_.set_limits(spec_->supervisor->max_restarts, spec_->supervisor->max_seconds * 1000);
}

void Supervisor::op_reload(const SpecPtr& spec, std::function<void()> done) {
  if (state_ == ChildState::stopped || state_ == ChildState::restarting || state_ == ChildState::stopping) {
    // Nothing runs here: the new spec applies when the supervisor starts again.
    apply_settings(spec);
    if (state_ != ChildState::stopping) build_children();
    done();
    return;
  }
  auto shared_done = std::make_shared<std::function<void()>>(std::move(done));
  submit(
      [this, spec, shared_done] {
        apply_settings(spec);
        if (is_dynamic()) return (*shared_done)();
        // Nested supervisors reload on their own mailboxes; `done` waits for all of them.
        auto pending = std::make_shared<int>(1);
        auto finish_one = [pending, shared_done] {
          if (--*pending == 0) (*shared_done)();
        };
        Job job{.purpose = Reload{}};
        std::vector<NodeId> restart_ids;
        std::vector<NodeId> remove_ids;
        for (auto it = children_.rbegin(); it != children_.rend(); ++it) {
          Node& child = **it;
          const config::ChildSpec* next = find_spec(spec_->supervisor->children, child.spec().id);
          if (next == nullptr) {
            if (child.added_at_runtime) continue;
            remove_ids.push_back(child.id());
            job.to_stop.push_back(child.id());
            continue;
          }
          const ChildDiff d =
              child.is_worker() ? diff_worker(child.spec(), *next) : diff_supervisor(child.spec(), *next);
          if (d.action == ReloadAction::restart) {
            restart_ids.push_back(child.id());
            if (child.state() != ChildState::stopped) job.to_stop.push_back(child.id());
          } else if (child.is_worker()) {
            child.set_spec(child_spec(spec_, *next));
            child.added_at_runtime = false;
          } else {
            ++*pending;
            static_cast<Supervisor&>(child).op_reload(child_spec(spec_, *next), finish_one);
          }
        }
        Reload& reload = std::get<Reload>(job.purpose);
        reload.after_stops = [this, spec = spec_, restart_ids, remove_ids] {
          // Restarted children come back with the new spec if they were running; those an
          // operator stopped take the new spec and stay stopped.
          std::vector<std::string> start_ids;
          for (NodeId id : restart_ids) {
            Node* child = ctx_.node(id);
            if (child == nullptr) continue;
            const config::ChildSpec* next = find_spec(spec->supervisor->children, child->spec().id);
            if (!child->operator_stopped) start_ids.push_back(child->spec().id);
            if (next != nullptr && next->type == child->spec().type) {
              child->set_spec(child_spec(spec, *next));
              child->added_at_runtime = false;
            } else {
              remove_child(id);  // a new type needs a new node, made below
            }
          }
          for (NodeId id : remove_ids) remove_child(id);
          // Children in the new file's order, run-time additions after them.
          std::vector<std::unique_ptr<Node>> old = std::move(children_);
          children_.clear();
          for (const config::ChildSpec& cs : spec->supervisor->children) {
            auto same = std::find_if(old.begin(), old.end(), [&](const std::unique_ptr<Node>& n) {
              return n && n->spec().id == cs.id;
            });
            if (same != old.end()) {
              children_.push_back(std::move(*same));
              continue;
            }
            Node& added = add_child(child_spec(spec, cs), false);
            ctx_.set_cause(job_->cause);
            ctx_.emit(Event{.type = EventType::added, .path = added.path()});
            if (std::find(start_ids.begin(), start_ids.end(), cs.id) == start_ids.end()) {
              start_ids.push_back(cs.id);
            }
          }
          for (auto& n : old) {
            if (n) children_.push_back(std::move(n));
          }
          for (const auto& child : children_) {
            if (std::find(start_ids.begin(), start_ids.end(), child->spec().id) != start_ids.end()) {
              job_->to_start.push_back(child->id());
            }
          }
        };
        reload.on_done = finish_one;
        begin(std::move(job));
      },
      [shared_done](const OpResult&) { (*shared_done)(); });
}

}  // namespace arbor::core
