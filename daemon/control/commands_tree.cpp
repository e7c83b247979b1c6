// Commands on the tree's children: OTP's which_children, count_children,
// get_childspec, restart_child, terminate_child, start_child, delete_child (docs/ARBORCTL.md).
// Refusals come from the core's OpResult codes; the args were checked by the Request.
#include <string>

#include "config/load.h"
#include "daemon/control/command.h"
#include "daemon/control/render.h"

namespace arbor::control {

using protocol::ErrorCode;
using protocol::ProtocolError;

namespace {

// Answers an asynchronous core operation with {"path": P} or its error; with a warning
// when the operator stops could not be kept in the state file.
template <typename C>
core::Reply answer(const Answer<C>& reply, std::string path, const Daemon& daemon) {
  return [reply, path = std::move(path), &daemon](const core::OpResult& result) {
    if (result.ok) {
      std::string problem = daemon.state_file_error();
      reply.ok(protocol::PathResult{result.path.empty() ? path : result.path,
                                    problem.empty() ? std::nullopt : std::optional(std::move(problem))});
    } else {
      reply.fail(result.code, result.message);
    }
  };
}

std::string not_found_message(const std::string& path) { return "no child at " + path; }

// start, stop, restart, remove: one path in, the core's answer out.
using PathOperation = void (core::SupervisorTree::*)(const std::string&, const core::Reply&, core::Millis,
                                                     const core::Origin&);

template <typename C>
void on_path(Context& context, const protocol::PathRequest& request, const Answer<C>& reply,
             PathOperation operation) {
  (context.daemon.tree().*operation)(request.path, answer(reply, request.path, context.daemon),
                                     context.daemon.now(), reply.origin());
}

}  // namespace

namespace {
// The cgroup fields (SPEC §7), read now: nothing is polled between status requests.
// A parent before its children: an idle subtree's cpu.stat is not read again
// (CgroupTree::cpu_usage). A supervisor's figures are its whole subtree's.
void add_cgroups(Daemon& daemon, cmd::NodeStatus& node, bool parent_unchanged) {
  CgroupUsage usage = daemon.cgroup_usage(node.path, parent_unchanged);
  node.cgroup = std::move(usage.cgroup);
  node.memory_bytes = usage.memory_bytes;
  node.cpu_usec = usage.cpu_usec;
  for (cmd::NodeStatus& child : node.children) add_cgroups(daemon, child, usage.cpu_unchanged);
}
}  // namespace

void status(Context& context, cmd::Status::Request request, const Answer<cmd::Status>& reply) {
  auto node = context.daemon.tree().status(request.path);
  if (!node) return reply.fail(ErrorCode::not_found, not_found_message(request.path));
  Daemon& daemon = context.daemon;
  cmd::NodeStatus wire = to_wire(std::move(*node), [&daemon](core::Millis t) { return daemon.wall_time(t); });
  add_cgroups(daemon, wire, false);
  reply.ok(wire);
}

void count(Context& context, cmd::Count::Request request, const Answer<cmd::Count>& reply) {
  const std::string& path = request.path;
  std::string error;
  auto counts = context.daemon.tree().count(path, &error);
  if (counts) return reply.ok(to_wire(*counts));
  if (error == "bad_request")
    return reply.fail(ErrorCode::bad_request, path + " is a worker, not a supervisor");
  reply.fail(ErrorCode::not_found, "no supervisor at " + path);
}

void spec(Context& context, cmd::Spec::Request request, const Answer<cmd::Spec>& reply) {
  auto spec = context.daemon.tree().spec(request.path);
  if (!spec) return reply.fail(ErrorCode::not_found, not_found_message(request.path));
  reply.ok(cmd::Spec::Result{config::to_json(*spec)});
}

void start(Context& c, cmd::Start::Request r, const Answer<cmd::Start>& a) {
  on_path(c, r, a, &core::SupervisorTree::start);
}
void stop(Context& c, cmd::Stop::Request r, const Answer<cmd::Stop>& a) {
  on_path(c, r, a, &core::SupervisorTree::stop);
}
void restart(Context& c, cmd::Restart::Request r, const Answer<cmd::Restart>& a) {
  on_path(c, r, a, &core::SupervisorTree::restart);
}
void remove(Context& c, cmd::Remove::Request r, const Answer<cmd::Remove>& a) {
  on_path(c, r, a, &core::SupervisorTree::remove);
}

// With a spec: start_child, the spec checked like the config file (diagnostics under
// /spec). Without: a child from the dynamic supervisor's template, args appended.
void add(Context& context, cmd::Add::Request request, const Answer<cmd::Add>& reply) {
  const std::string& path = request.path;
  core::SupervisorTree& tree = context.daemon.tree();
  if (!request.spec) {
    return tree.add_dynamic(path, std::move(request.args).value_or(std::vector<std::string>{}),
                            answer(reply, path, context.daemon), context.daemon.now(), reply.origin());
  }
  auto parent = tree.spec(path);
  if (!parent) return reply.fail(ErrorCode::not_found, "no supervisor at " + path);
  config::LoadOptions options;
  if (parent->type == config::ChildType::supervisor)
    options.parent_auto_shutdown = parent->supervisor->auto_shutdown;
  config::ChildResult child = config::load_child(*request.spec, "/spec", options);
  if (!child.child) {
    std::string message;
    for (const auto& d : child.errors) message += (message.empty() ? "" : "\n") + config::to_string(d);
    return reply.fail(ErrorCode::bad_spec, message);
  }
  tree.add(path, std::move(*child.child), answer(reply, path, context.daemon), context.daemon.now(),
           reply.origin());
}

void signal(Context& context, cmd::Signal::Request request, const Answer<cmd::Signal>& reply) {
  const std::optional<int> signo = config::signal_from_name(request.signal);
  if (!signo) {
    const std::string shown = request.numeric ? request.signal : nlohmann::json(request.signal).dump();
    throw ProtocolError(ErrorCode::bad_request, "unknown signal " + shown);
  }
  const core::OpResult result = context.daemon.tree().signal(request.path, *signo, reply.origin());
  if (!result.ok) return reply.fail(result.code, result.message);
  reply.ok(cmd::Signal::Result{request.path, config::signal_name(*signo)});
}

}  // namespace arbor::control
