// Commands on the tree's children: OTP's which_children, count_children,
// get_childspec, restart_child, terminate_child, start_child, delete_child (SPEC §5).
// Refusals come from the core's OpResult codes; here only args are checked.
#include <string>

#include "config/load.h"
#include "daemon/control/args.h"
#include "daemon/control/command.h"
#include "daemon/control/render.h"

namespace arbor::control {

using nlohmann::json;
using protocol::ErrorCode;
using protocol::ProtocolError;

namespace {

// Answers an asynchronous core operation with {"path": P} or its error.
core::Reply answer(const Replier& reply, std::string path) {
  return [reply, path = std::move(path)](const core::OpResult& result) {
    if (result.ok) {
      reply.ok(json{{"path", result.path.empty() ? path : result.path}});
    } else {
      reply.fail(result.code, result.message);
    }
  };
}

std::string not_found_message(const std::string& path) { return "no child at " + path; }

}  // namespace

void cmd_status(Call& call) {
  args::only(call.args, {"path"});
  const std::string path = args::optional_path(call.args).value_or("/");
  auto node = call.daemon.tree().status(path);
  if (!node) return call.reply.fail(ErrorCode::not_found, not_found_message(path));
  Daemon& daemon = call.daemon;
  call.reply.ok_text(status_text(*node, [&daemon](core::Millis t) { return daemon.wall_time(t); }));
}

void cmd_count(Call& call) {
  args::only(call.args, {"path"});
  const std::string path = args::path(call.args);
  std::string error;
  auto counts = call.daemon.tree().count(path, &error);
  if (counts) return call.reply.ok(counts_json(*counts));
  if (error == "bad_request") return call.reply.fail(ErrorCode::bad_request, path + " is a worker, not a supervisor");
  call.reply.fail(ErrorCode::not_found, "no supervisor at " + path);
}

void cmd_spec(Call& call) {
  args::only(call.args, {"path"});
  const std::string path = args::path(call.args);
  auto spec = call.daemon.tree().spec(path);
  if (!spec) return call.reply.fail(ErrorCode::not_found, not_found_message(path));
  call.reply.ok(config::to_json(*spec));
}

// start, stop, restart, remove: one path in, the core's answer out.
using PathOperation = void (core::SupervisorTree::*)(const std::string&, core::Reply, core::Millis);

void on_path(Call& call, PathOperation operation) {
  args::only(call.args, {"path"});
  const std::string path = args::path(call.args);
  (call.daemon.tree().*operation)(path, answer(call.reply, path), call.daemon.now());
}

void cmd_start(Call& call) { on_path(call, &core::SupervisorTree::start); }
void cmd_stop(Call& call) { on_path(call, &core::SupervisorTree::stop); }
void cmd_restart(Call& call) { on_path(call, &core::SupervisorTree::restart); }
void cmd_remove(Call& call) { on_path(call, &core::SupervisorTree::remove); }

// {"path": SUP, "spec": {...}}: start_child with a full spec, checked like the config
// file (diagnostics under /spec). {"path": DYNSUP, "args": [...]}: a child from the
// dynamic supervisor's template with args appended to its command.
void cmd_add(Call& call) {
  args::only(call.args, {"path", "spec", "args"});
  const std::string path = args::path(call.args);
  const bool has_spec = call.args.contains("spec") && !call.args["spec"].is_null();
  const bool has_args = call.args.contains("args") && !call.args["args"].is_null();
  if (has_spec && has_args) throw ProtocolError(ErrorCode::bad_request, "give either \"spec\" or \"args\", not both");
  core::SupervisorTree& tree = call.daemon.tree();
  if (!has_spec) {
    std::vector<std::string> extra;
    if (has_args) {
      const json& a = call.args["args"];
      if (!a.is_array()) throw ProtocolError(ErrorCode::bad_request, "args.args: expected an array of strings");
      for (const json& item : a) {
        if (!item.is_string()) throw ProtocolError(ErrorCode::bad_request, "args.args: expected an array of strings");
        extra.push_back(item.get<std::string>());
      }
    }
    return tree.add_dynamic(path, std::move(extra), answer(call.reply, path), call.daemon.now());
  }
  auto parent = tree.spec(path);
  if (!parent) return call.reply.fail(ErrorCode::not_found, "no supervisor at " + path);
  config::LoadOptions options;
  if (parent->type == config::ChildType::supervisor) options.parent_auto_shutdown = parent->supervisor.auto_shutdown;
  config::ChildResult child = config::load_child(call.args["spec"], "/spec", options);
  if (!child.child) {
    std::string message;
    for (const auto& d : child.errors) message += (message.empty() ? "" : "\n") + config::to_string(d);
    return call.reply.fail(ErrorCode::bad_spec, message);
  }
  tree.add(path, std::move(*child.child), answer(call.reply, path), call.daemon.now());
}

// {"path", "signal"}: a name ("TERM", "SIGHUP", "RTMIN+2") or a number (9 or "9").
void cmd_signal(Call& call) {
  args::only(call.args, {"path", "signal"});
  const std::string path = args::path(call.args);
  const json sig = call.args.value("signal", json());
  std::optional<int> signo;
  if (sig.is_string()) {
    signo = config::signal_from_name(sig.get<std::string>());
  } else if (sig.is_number_integer()) {
    signo = config::signal_from_name(std::to_string(sig.get<std::int64_t>()));
  } else {
    throw ProtocolError(ErrorCode::bad_request, "missing argument \"signal\" (a name such as TERM, or a number)");
  }
  if (!signo) throw ProtocolError(ErrorCode::bad_request, "unknown signal " + sig.dump());
  const core::OpResult result = call.daemon.tree().signal(path, *signo);
  if (!result.ok) return call.reply.fail(result.code, result.message);
  call.reply.ok(json{{"path", path}, {"signal", config::signal_name(*signo)}});
}

}  // namespace arbor::control
