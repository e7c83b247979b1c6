// The daemon's side of each command: a handler that takes the command's typed Request
// (daemon/protocol/commands/) and answers with its typed Result. The whole list is one
// explicit table (commands.cpp), in docs/ARBORCTL.md order; nothing registers itself.
#pragma once

#include <nlohmann/json.hpp>

#include <concepts>
#include <span>
#include <string_view>

#include "daemon/control/daemon.h"
#include "daemon/control/reloader.h"
#include "daemon/control/session.h"
#include "daemon/protocol/commands/all.h"

namespace arbor::control {

namespace cmd = protocol::commands;

// What every handler may use: arbord, and the reload state shared with SIGHUP.
struct Context {
  Daemon& daemon;
  Reloader& reloader;
};

// The reply of command C: its Result, an error, and (watch, logs) its stream Lines.
// Copyable, so asynchronous operations can hold it.
template <typename C>
class Answer {
 public:
  explicit Answer(Replier replier) : replier_(std::move(replier)) {}

  void ok(const typename C::Result& result) const {
    if constexpr (requires(std::string & out) { result.append_json(out); }) {
      std::string text;
      result.append_json(text);
      replier_.ok_text(text);
    } else {
      replier_.ok(result.to_json());
    }
  }
  void fail(protocol::ErrorCode code, std::string_view message) const { replier_.fail(code, message); }
  // D = C defers the check to a call: only commands with a Line have this.
  template <typename L, typename D = C>
  requires std::same_as<L, typename D::Line>
  void line(const L& line) const { replier_.send(line.to_json()); }
  bool open() const { return replier_.open(); }
  void keep(std::unique_ptr<Handle> handle) const { replier_.keep(std::move(handle)); }
  std::size_t unsent_bytes() const { return replier_.unsent_bytes(); }
  void when_drained(std::function<void()> fn) const { replier_.when_drained(std::move(fn)); }
  void hang_up() const { replier_.hang_up(); }
  // The command as the core's `command` event names it: C's name (a literal, so .data() ends
  // in a NUL) and the client's uid.
  core::Origin origin() const { return core::Origin{C::info.name.data(), replier_.peer_uid()}; }
  // reexec: the request's id and the client's socket, for the program that answers.
  const nlohmann::json& id() const { return replier_.id(); }
  int handover_fd() const { return replier_.handover_fd(); }

 private:
  Replier replier_;
};

// A handler replies exactly once (now or later) or throws ProtocolError before replying;
// the dispatcher has already checked the request's args (Request::from_json).
template <typename C>
using Handler = void (*)(Context&, typename C::Request, const Answer<C>&);

struct Command {
  const protocol::CommandInfo* info;
  void (*run)(Context&, const nlohmann::json& args, Replier reply);
};

// The table's entry for command C served by handler H.
template <typename C, Handler<C> H>
constexpr Command command() {
  return Command{&C::info, [](Context& context, const nlohmann::json& args, Replier reply) {
                   H(context, C::Request::from_json(args), Answer<C>(std::move(reply)));
                 }};
}

std::span<const Command> command_table();

// Handlers, by file: commands_tree.cpp, commands_daemon.cpp, commands_stream.cpp,
// commands_logs.cpp.
void status(Context&, cmd::Status::Request, const Answer<cmd::Status>&);
void count(Context&, cmd::Count::Request, const Answer<cmd::Count>&);
void spec(Context&, cmd::Spec::Request, const Answer<cmd::Spec>&);
void start(Context&, cmd::Start::Request, const Answer<cmd::Start>&);
void stop(Context&, cmd::Stop::Request, const Answer<cmd::Stop>&);
void restart(Context&, cmd::Restart::Request, const Answer<cmd::Restart>&);
void add(Context&, cmd::Add::Request, const Answer<cmd::Add>&);
void remove(Context&, cmd::Remove::Request, const Answer<cmd::Remove>&);
void signal(Context&, cmd::Signal::Request, const Answer<cmd::Signal>&);
void logs(Context&, cmd::Logs::Request, const Answer<cmd::Logs>&);
void watch(Context&, cmd::Watch::Request, const Answer<cmd::Watch>&);
void why(Context&, cmd::Why::Request, const Answer<cmd::Why>&);
void reload(Context&, cmd::Reload::Request, const Answer<cmd::Reload>&);
void wait(Context&, cmd::Wait::Request, const Answer<cmd::Wait>&);
void version(Context&, cmd::Version::Request, const Answer<cmd::Version>&);
void shutdown(Context&, cmd::Shutdown::Request, const Answer<cmd::Shutdown>&);
void check(Context&, cmd::Check::Request, const Answer<cmd::Check>&);
void metrics(Context&, cmd::Metrics::Request, const Answer<cmd::Metrics>&);
void reexec(Context&, cmd::Reexec::Request, const Answer<cmd::Reexec>&);

}  // namespace arbor::control
