// Commands that outlive their reply: watch (every event until the client hangs up) and
// wait (a reply once a child reaches a state). Both hold their subscription in the
// session, so a client that hangs up takes them with it.
#include <spdlog/spdlog.h>

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
  // The core emits an event before it has finished reacting to it (an `exited` comes
  // before the supervisor has put the child in `restarting`, which emits nothing of its
  // own), so each event is also checked again once the loop is past it.
  std::unique_ptr<Handle> recheck;
  bool recheck_armed = false;

  void on_event(const std::shared_ptr<Waiter>& self) {
    check();
    if (done || recheck_armed) return;
    recheck_armed = true;
    std::weak_ptr<Waiter> weak = self;
    recheck = daemon.after(0, [weak] {  // replaced (never destroyed) in its own callback
      if (auto w = weak.lock()) {
        w->recheck_armed = false;
        w->check();
      }
    });
  }

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

namespace {

// One `watch` client. It sends the events from `next` on, reading each from the history,
// so a `--since` replay and the live events that follow are one sequence: no gap, no
// duplicate, whatever arrives while the replay waits. A replay waits whenever more than
// kHighWater bytes are queued for the client, until they drain, so a slow reader costs
// arbord no more than that. A client that falls so far behind that its next event has
// left the history is hung up on: it may resume with --since (and learn what was lost).
class Follower final : public Handle {
 public:
  // Small: a thousand clients replaying at once cost arbord 64 MiB at most, and the
  // kernel's socket buffer holds as much again for each, so a reader never waits on it.
  static constexpr std::size_t kHighWater = 64 * 1024;

  Follower(Daemon& daemon, Answer<cmd::Watch> reply, std::uint64_t next)
      : daemon_(daemon),
        reply_(std::move(reply)),
        next_(next),
        id_(daemon.subscribe([this](const events::StampedEvent&) { pump(); })) {}
  ~Follower() override { daemon_.unsubscribe(id_); }
  Follower(const Follower&) = delete;
  Follower& operator=(const Follower&) = delete;

  void pump() {
    const events::EventBus& bus = daemon_.events();
    if (next_ < bus.oldest_kept()) {
      spdlog::warn("control: a watch client fell {} events behind: hanging up", bus.last_seq() - next_ + 1);
      reply_.hang_up();
      return;
    }
    if (waiting_) return;
    while (next_ <= bus.last_seq()) {
      if (reply_.unsent_bytes() > kHighWater) {
        waiting_ = true;
        reply_.when_drained([this] {
          waiting_ = false;
          pump();
        });
        return;
      }
      reply_.line(to_wire(*bus.kept(next_++)));
    }
  }

 private:
  Daemon& daemon_;
  Answer<cmd::Watch> reply_;
  std::uint64_t next_;
  std::uint64_t id_;
  bool waiting_ = false;
};

}  // namespace

void watch(Context& context, cmd::Watch::Request request, const Answer<cmd::Watch>& reply) {
  const events::EventBus& bus = context.daemon.events();
  const std::uint64_t since = request.since.value_or(bus.last_seq());
  if (since > bus.last_seq()) {
    return reply.fail(ErrorCode::not_found, fmt::format("no event after seq {}: the newest is {} (did arbord "
                                                        "restart? its seq starts again at 1)",
                                                        since, bus.last_seq()));
  }
  if (since + 1 < bus.oldest_kept()) {
    return reply.fail(ErrorCode::not_found,
                      fmt::format("the events after seq {} are no longer all kept: the oldest kept is {}",
                                  since, bus.oldest_kept()));
  }
  reply.ok({});
  // After the reply, so the reply is the first line the client sees.
  auto follower = std::make_unique<Follower>(context.daemon, reply, since + 1);
  follower->pump();
  reply.keep(std::move(follower));
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
  reply.keep(std::make_unique<Subscription>(
      context.daemon, [waiter](const events::StampedEvent&) { waiter->on_event(waiter); }));
  if (request.timeout_ms) {
    const core::Millis ms = *request.timeout_ms;
    reply.keep(context.daemon.after(ms, [waiter, ms] { waiter->timed_out(ms); }));
  }
}

}  // namespace arbor::control
