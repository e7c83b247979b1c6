// Commands on arbord itself: reload, version, shutdown, reexec (docs/ARBORCTL.md).
#include "arbor_version.h"
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

namespace arbor::control {

// On success arbord's program is replaced and the new one answers on the same socket
// (daemon.h); the handler only ever answers a refusal, the old program staying in charge.
void reexec(Context& context, cmd::Reexec::Request request, const Answer<cmd::Reexec>& reply) {
  const int fd = reply.handover_fd();
  if (fd < 0)
    return reply.fail(protocol::ErrorCode::bad_request, "reexec needs a client on the control socket");
  const auto refusal = context.daemon.reexec(request.binary.value_or(""), fd, reply.id());
  reply.fail(refusal.code, refusal.why);
}

}  // namespace arbor::control
