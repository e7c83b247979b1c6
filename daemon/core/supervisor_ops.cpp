// Operator commands on a supervisor's children (docs/ARBORCTL.md): OTP's terminate_child,
// restart_child, delete_child, start_child, and DynamicSupervisor.start_child.
#include <string>

#include "daemon/core/supervisor.h"

namespace arbor::core {

namespace {
OpResult not_found(const std::string& what) {
  return OpResult::failure(ErrorCode::not_found, what + " not found");
}
OpResult not_stopped(const Node& n) {
  return OpResult::failure(ErrorCode::running, n.path() + " is " + std::string(to_string(n.state())));
}
OpResult dynamic_refused(const Node& n, const char* what) {
  return OpResult::failure(ErrorCode::bad_request,
                           std::string(what) + " is not available for " + n.path() +
                               ", a child of a dynamic supervisor (use stop, or add)");
}
}  // namespace

void Supervisor::op_stop(NodeId child, const Reply& reply) {
  submit(
      [this, child, reply] {
        Node* n = ctx_.node(child);
        if (n == nullptr || n->parent() != this) return reply(not_found("child"));
        n->set_operator_stopped(true);
        if (n->state() == ChildState::stopped) return reply(OpResult::success());
        if (n->state() == ChildState::restarting) {
          n->mark_stopped();
          if (removed_when_ended(*n)) remove_child(child);
          return reply(OpResult::success());
        }
        Job job{.purpose = Command{.op = Command::Op::stop, .reply = reply}};
        job.to_stop.push_back(child);
        begin(std::move(job));
      },
      reply);
}

void Supervisor::op_start(NodeId child, const Reply& reply) {
  submit(
      [this, child, reply] {
        Node* n = ctx_.node(child);
        if (n == nullptr || n->parent() != this) return reply(not_found("child"));
        if (is_dynamic()) return reply(dynamic_refused(*n, "start"));
        if (n->state() != ChildState::stopped) return reply(not_stopped(*n));
        n->set_operator_stopped(false);
        Job job{.purpose = Command{.op = Command::Op::start, .reply = reply}};
        job.to_start.push_back(child);
        begin(std::move(job));
      },
      reply);
}

void Supervisor::op_restart(NodeId child, const Reply& reply) {
  submit(
      [this, child, reply] {
        Node* n = ctx_.node(child);
        if (n == nullptr || n->parent() != this) return reply(not_found("child"));
        if (is_dynamic()) return reply(dynamic_refused(*n, "restart"));
        n->set_operator_stopped(false);
        Job job{.purpose = Command{.op = Command::Op::restart, .reply = reply}};
        if (n->state() != ChildState::stopped) job.to_stop.push_back(child);
        job.to_start.push_back(child);
        begin(std::move(job));
      },
      reply);
}

void Supervisor::op_remove(NodeId child, const Reply& reply) {
  submit(
      [this, child, reply] {
        Node* n = ctx_.node(child);
        if (n == nullptr || n->parent() != this) return reply(not_found("child"));
        if (is_dynamic()) return reply(dynamic_refused(*n, "remove"));
        if (n->state() != ChildState::stopped) return reply(not_stopped(*n));
        remove_child(child);
        reply(OpResult::success());
      },
      reply);
}

void Supervisor::op_add(config::ChildSpec spec, const Reply& reply) {
  submit(
      [this, spec = std::move(spec), reply]() mutable {
        if (is_dynamic()) {
          return reply(OpResult::failure(ErrorCode::bad_request,
                                         path_ + " is a dynamic supervisor: add children from its template"));
        }
        if (find_child(spec.id) != nullptr) {
          return reply(
              OpResult::failure(ErrorCode::already_present, child_path(path_, spec.id) + " already exists"));
        }
        if (spec.significant && (spec.restart == config::RestartType::permanent ||
                                 spec_->supervisor->auto_shutdown == config::AutoShutdown::never)) {
          return reply(
              OpResult::failure(ErrorCode::bad_spec,
                                "significant needs a transient or temporary child under a supervisor "
                                "whose auto_shutdown is not never"));
        }
        Node& n = add_child(std::make_shared<const config::ChildSpec>(std::move(spec)), true);
        ctx_.emit(Event{.type = EventType::added, .path = n.path()});
        Job job{.purpose =
                    Command{.op = Command::Op::add, .reply = reply, .result = OpResult::success(n.path())}};
        job.to_start.push_back(n.id());
        begin(std::move(job));
      },
      reply);
}

void Supervisor::op_add_dynamic(std::vector<std::string> args, const Reply& reply) {
  submit(
      [this, args = std::move(args), reply] {
        if (!is_dynamic() || !spec_->supervisor->child_template) {
          return reply(OpResult::failure(ErrorCode::bad_request, path_ + " is not a dynamic supervisor"));
        }
        const auto& max = spec_->supervisor->max_children;
        if (max && children_.size() >= *max) {
          return reply(OpResult::failure(
              ErrorCode::max_children, path_ + " has max_children (" + std::to_string(*max) + ") children"));
        }
        config::ChildSpec spec = *spec_->supervisor->child_template;
        spec.id = std::to_string(next_dynamic_id_++);
        spec.worker.command.append(args);
        Node& n = add_child(std::make_shared<const config::ChildSpec>(std::move(spec)), true);
        ctx_.emit(Event{.type = EventType::added, .path = n.path()});
        Job job{.purpose =
                    Command{.op = Command::Op::add, .reply = reply, .result = OpResult::success(n.path())}};
        job.to_start.push_back(n.id());
        begin(std::move(job));
      },
      reply);
}

}  // namespace arbor::core
