// Commands on arbord itself: reload, version, shutdown (SPEC §5).
#include "daemon/control/args.h"
#include "daemon/control/command.h"

namespace arbor::control {

using nlohmann::json;

void cmd_reload(Call& call) {
  args::only(call.args, {"dry_run"});
  const bool dry_run = args::optional_bool(call.args, "dry_run", false);
  Replier reply = call.reply;
  call.reloader.reload(dry_run, [reply](const ReloadResult& result) {
    if (result.ok) {
      reply.ok(result.plan);
    } else {
      reply.fail(result.code, result.message);
    }
  });
}

void cmd_version(Call& call) {
  args::only(call.args, {});
  call.reply.ok(json{{"arbord", ARBOR_VERSION}, {"protocol", protocol::kProtocolVersion}});
}

// Answers at once, then stops the tree; the connection stays open until arbord closes
// it on exit, so a client that reads to EOF knows the tree is down.
void cmd_shutdown(Call& call) {
  args::only(call.args, {});
  call.reply.ok(json::object());
  call.daemon.request_shutdown("arborctl shutdown");
}

}  // namespace arbor::control
