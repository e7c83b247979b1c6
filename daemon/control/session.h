// Session: one client as the commands see it — a place to send JSON lines, and the
// owner of the streams (watch, logs -f, wait) that live as long as the client does.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>

#include "daemon/control/daemon.h"
#include "daemon/protocol/command.h"
#include "daemon/protocol/wire.h"

namespace arbor::control {

class Session {
 public:
  virtual ~Session() = default;
  // A reply answers a request (exactly one per request); a stream line follows one.
  // The difference matters to a client that half-closes after sending: its connection
  // stays open until every request has been answered.
  enum class Kind { reply, stream };

  // Queues one line for the client; ignored once the session has closed. Never throws.
  virtual void send(const nlohmann::json& message, Kind kind) noexcept = 0;
  // The same with the line already encoded (JSON text, ending in a newline).
  virtual void send_line(std::string line, Kind kind) noexcept = 0;
  virtual bool is_open() const = 0;
  // The commands this client may call (CommandInfo::access): every client admitted
  // today (root, or arbord's own uid) may operate.
  virtual protocol::Access access() const { return protocol::Access::operate; }
  // The client's uid (SO_PEERCRED), named in the `command` events of its commands.
  virtual std::optional<std::uint32_t> peer_uid() const { return std::nullopt; }
  // Keeps `handle` (a subscription, a timer) until the client hangs up.
  virtual void keep(std::unique_ptr<Handle> handle) = 0;
  // Flow control for long streams (a `watch --since` replay): the bytes queued and not yet
  // taken by the client, and a call once they all have been (at most one pending: a new
  // one replaces it). A session that writes synchronously has nothing unsent.
  virtual std::size_t unsent_bytes() const { return 0; }
  // Never asked here (nothing is unsent); overriders keep `fn`, hence by value.
  virtual void when_drained(std::function<void()> /*fn*/) {}  // NOLINT(performance-unnecessary-value-param)
  // reexec: the client's socket, kept open across the exec so the new program answers it
  // (-1: a session without one, as the unit tests' fake).
  virtual int handover_fd() const { return -1; }
  // Ends the session now, dropping what is unsent (a stream that cannot go on).
  virtual void hang_up() noexcept {}
};

// Answers one request: the reply, and the stream lines that may follow it. Copyable,
// so asynchronous operations can hold it; it holds the session weakly, so a client
// that hung up meanwhile is simply not answered.
class Replier {
 public:
  Replier(std::weak_ptr<Session> session, nlohmann::json id)
      : session_(std::move(session)), id_(std::move(id)) {}

  void ok(nlohmann::json result) const {
    put(protocol::reply_ok(id_, std::move(result)), Session::Kind::reply);
  }
  // `result` is JSON text already (see status_text).
  void ok_text(const std::string& result) const {
    if (auto s = session_.lock()) s->send_line(protocol::encode_reply_ok(id_, result), Session::Kind::reply);
  }
  void fail(protocol::ErrorCode code, std::string_view message) const {
    put(protocol::reply_error(id_, code, message), Session::Kind::reply);
  }
  // reexec: the request's id, and the client's socket (-1 if gone).
  const nlohmann::json& id() const { return id_; }
  int handover_fd() const {
    auto s = session_.lock();
    return s ? s->handover_fd() : -1;
  }
  // A stream line after the reply.
  void send(const nlohmann::json& message) const { put(message, Session::Kind::stream); }
  bool open() const {
    auto s = session_.lock();
    return s && s->is_open();
  }
  void keep(std::unique_ptr<Handle> handle) const {
    if (auto s = session_.lock()) s->keep(std::move(handle));
  }
  std::size_t unsent_bytes() const {
    auto s = session_.lock();
    return s ? s->unsent_bytes() : 0;
  }
  void when_drained(std::function<void()> fn) const {
    if (auto s = session_.lock()) s->when_drained(std::move(fn));
  }
  void hang_up() const {
    if (auto s = session_.lock()) s->hang_up();
  }
  std::optional<std::uint32_t> peer_uid() const {
    auto s = session_.lock();
    return s ? s->peer_uid() : std::nullopt;
  }

 private:
  void put(const nlohmann::json& message, Session::Kind kind) const {
    if (auto s = session_.lock()) s->send(message, kind);
  }

  std::weak_ptr<Session> session_;
  nlohmann::json id_;
};

}  // namespace arbor::control
