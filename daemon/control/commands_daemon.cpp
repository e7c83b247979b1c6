// Commands on arbord itself: reload, version, shutdown (docs/ARBORCTL.md).
#include "daemon/control/command.h"

namespace arbor::control {

void reload(Context& context, cmd::Reload::Request request, const Answer<cmd::Reload>& reply) {
  context.reloader.reload(
      request.dry_run,
      [reply](const ReloadResult& result) {
        if (result.ok) {
          reply.ok(result.plan);
        } else {
          reply.fail(result.code, result.message);
        }
      },
      reply.origin());
}

void version(Context&, cmd::Version::Request, const Answer<cmd::Version>& reply) {
  reply.ok(cmd::Version::Result{ARBOR_VERSION, protocol::kProtocolVersion});
}

// Answers at once, then stops the tree; the connection stays open until arbord closes
// it on exit, so a client that reads to EOF knows the tree is down.
void shutdown(Context& context, cmd::Shutdown::Request, const Answer<cmd::Shutdown>& reply) {
  reply.ok({});
  context.daemon.request_shutdown("arborctl shutdown");
}

}  // namespace arbor::control
