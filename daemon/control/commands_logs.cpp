// `logs`: a worker's captured output (docs/ARBORCTL.md). The reply carries the last lines;
// with follow, new lines come after it as {"path","line"} objects, read when inotify
// (uv_fs_event on the log directory) says the directory changed — never by polling.
#include <memory>

#include "daemon/control/command.h"
#include "daemon/control/log_tail.h"

namespace arbor::control {

using protocol::ErrorCode;
using protocol::ProtocolError;

namespace {

// The file holding a worker's output: its "log" capture, else a {"file": PATH} output.
std::optional<std::string> output_file(const Daemon& daemon, const std::string& path,
                                       const config::WorkerSpec& w) {
  for (const config::Output* o : {&w.stdout_spec, &w.stderr_spec}) {
    if (o->kind == config::Output::Kind::log) return log_file_for(daemon.tree_spec().log_dir, path);
  }
  for (const config::Output* o : {&w.stdout_spec, &w.stderr_spec}) {
    if (o->kind == config::Output::Kind::file) return *o->file;
  }
  return std::nullopt;
}

std::string dir_of(const std::string& file) {
  const std::size_t slash = file.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : file.substr(0, slash);
}

std::string base_of(const std::string& file) {
  const std::size_t slash = file.rfind('/');
  return slash == std::string::npos ? file : file.substr(slash + 1);
}

}  // namespace

void logs(Context& context, cmd::Logs::Request request, const Answer<cmd::Logs>& reply) {
  const std::string& path = request.path;
  auto spec = context.daemon.tree().spec(path);
  if (!spec) return reply.fail(ErrorCode::not_found, "no child at " + path);
  if (!spec->is_worker())
    throw ProtocolError(ErrorCode::bad_request, path + " is a supervisor; logs are per worker");
  const auto file = output_file(context.daemon, path, spec->worker);
  if (!file) {
    throw ProtocolError(
        ErrorCode::bad_request,
        "the output of " + path + " is not captured (stdout and stderr are " + "neither \"log\" nor a file)");
  }

  auto tail = std::make_shared<LogTail>(*file);
  cmd::Logs::Result result{path, *file, tail->open_and_tail(static_cast<std::size_t>(request.lines))};
  if (!request.follow) return reply.ok(result);

  std::string error;
  const std::string base = base_of(*file);
  auto send_new_lines = [tail, reply, path] {
    for (auto& line : tail->poll()) reply.line(cmd::Logs::Line{path, std::move(line)});
  };
  auto watch = context.daemon.watch_dir(
      dir_of(*file),
      [send_new_lines, base](const std::string& name) {
        // Events for other workers' files in the same directory are not ours; a rename
        // to base.1 is, and so is an event without a name (the directory itself).
        if (!name.empty() && name.compare(0, base.size(), base) != 0) return;
        send_new_lines();
      },
      error);
  if (!watch) return reply.fail(ErrorCode::bad_request, "cannot follow " + *file + ": " + error);
  reply.ok(result);
  reply.keep(std::move(watch));
  // Lines written between the tail and the watch starting are picked up now.
  send_new_lines();
}

}  // namespace arbor::control
