// why (SPEC §10): walks the history from PATH's last started, exited or gave_up event
// through each event's cause down to the root cause. Every step is an O(1) lookup by seq
// (EventBus::kept); the path's last event is one hash lookup (EventBus::last_of).
#include <fmt/format.h>

#include "daemon/control/command.h"
#include "daemon/control/render.h"

namespace arbor::control {

void why(Context& context, cmd::Why::Request request, const Answer<cmd::Why>& reply) {
  const events::EventBus& bus = context.daemon.events();
  // The core names children without a leading "/" and the root "/".
  std::string path = request.path;
  if (path.size() > 1 && path.front() == '/') path.erase(0, 1);
  std::optional<events::StampedEvent> event = bus.last_of(path);
  if (!event) {
    return reply.fail(protocol::ErrorCode::not_found,
                      fmt::format("no started, exited or gave_up event of {} is kept (the oldest kept is "
                                  "seq {})",
                                  request.path, bus.oldest_kept()));
  }
  cmd::Why::Result result;
  // A cause is always older than its event, so the walk ends; a cause no longer kept ends it too.
  while (event) {
    result.chain.push_back(to_wire(*event));
    event = event->event.cause != 0 ? bus.kept(event->event.cause) : std::nullopt;
  }
  reply.ok(result);
}

}  // namespace arbor::control
