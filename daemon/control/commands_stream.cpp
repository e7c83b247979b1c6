// Commands that outlive their reply: watch (every event until the client hangs up) and
// wait (a reply once a child reaches a state). Both hold their subscription in the
// session, so a client that hangs up takes them with it.
#include <memory>

#include "daemon/control/command.h"
#include "daemon/control/render.h"

namespace arbor::control {

using protocol::ErrorCode;
using protocol::ProtocolError;

namespace {

// An EventBus subscription, ended when destroyed.
class Subscription final : public Handle {
 public:
  Subscription(Daemon& daemon, std::function<void(const events::StampedEvent&)> fn)
      : daemon_(daemon), id_(daemon.subscribe(std::move(fn))) {}
  ~Subscription() override { daemon_.unsubscribe(id_); }

 private:
  Daemon& daemon_;
  std::uint64_t id_;
};

std::optional<core::ChildState> state_from_string(std::string_view s) {
  for (core::ChildState st :
       {core::ChildState::stopped, core::ChildState::starting, core::ChildState::running,
        core::ChildState::stopping, core::ChildState::restarting}) {
    if (core::to_string(st) == s) return st;
  }
  return std::nullopt;
}

// One `wait`: answers once, then ignores everything. Its subscription and timer stay
// in the session until the client hangs up (arborctl hangs up right after the reply),
// which keeps every destruction out of the callbacks that would cause it.
struct Waiter {
  Daemon& daemon;
  Answer<cmd::Wait> reply;
  std::string path;
  core::ChildState want;
  bool done = false;

  void check() {
    if (done) return;
    const core::Node* node = daemon.tree().find(path);
    if (node == nullptr) {
      finish();
      reply.fail(ErrorCode::not_found, path + " is gone (removed while waiting)");
    } else if (node->state() == want) {
      finish();
      reply.ok(cmd::Wait::Result{path, std::string(core::to_string(want))});
    }
  }
  void timed_out(core::Millis ms) {
    if (done) return;
    finish();
    const core::Node* node = daemon.tree().find(path);
    const std::string now_state = node ? std::string(core::to_string(node->state())) : "gone";
    reply.fail(ErrorCode::timeout, path + " did not reach " + std::string(core::to_string(want)) +
                                       " within " + std::to_string(ms) + " ms (it is " + now_state + ")");
  }
  void finish() { done = true; }
};

}  // namespace

void watch(Context& context, cmd::Watch::Request, const Answer<cmd::Watch>& reply) {
  reply.ok({});
  // Subscribe after the reply so the reply is the first line the client sees.
  reply.keep(std::make_unique<Subscription>(
      context.daemon, [reply](const events::StampedEvent& e) { reply.line(to_wire(e)); }));
}

void wait(Context& context, cmd::Wait::Request request, const Answer<cmd::Wait>& reply) {
  const auto want = state_from_string(request.state);
  if (!want) {
    throw ProtocolError(ErrorCode::bad_request,
                        "args.state: expected starting, running, stopping, stopped or restarting, got \"" +
                            request.state + "\"");
  }
  const std::string& path = request.path;
  if (context.daemon.tree().find(path) == nullptr)
    return reply.fail(ErrorCode::not_found, "no child at " + path);

  auto waiter = std::make_shared<Waiter>(Waiter{context.daemon, reply, path, *want});
  waiter->check();
  if (waiter->done) return;
  reply.keep(std::make_unique<Subscription>(context.daemon,
                                            [waiter](const events::StampedEvent&) { waiter->check(); }));
  if (request.timeout_ms) {
    const core::Millis ms = *request.timeout_ms;
    reply.keep(context.daemon.after(ms, [waiter, ms] { waiter->timed_out(ms); }));
  }
}

}  // namespace arbor::control
