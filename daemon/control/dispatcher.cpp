#include "daemon/control/dispatcher.h"

#include <spdlog/spdlog.h>

#include "daemon/control/command.h"

namespace arbor::control {

using protocol::ErrorCode;
using protocol::ProtocolError;

namespace {
const Command* find_command(std::string_view name) {
  for (const Command& c : command_table()) {
    if (c.info->name == name) return &c;
  }
  return nullptr;
}
}  // namespace

void Dispatcher::handle(const std::shared_ptr<Session>& session, std::string_view line) noexcept {
  nlohmann::json id;
  // The one place a refusal thrown while reading or serving a request (ProtocolError)
  // becomes its error reply; anything else is a bug, logged and answered.
  try {
    const protocol::Request request = protocol::parse_request(line, id);
    const Command* command = find_command(request.cmd);
    if (command == nullptr)
      throw ProtocolError(ErrorCode::bad_request, "unknown cmd \"" + request.cmd + "\"");
    if (command->info->access > session->access()) {
      throw ProtocolError(ErrorCode::forbidden, "this client may not call " + request.cmd);
    }
    Context context{daemon_, reloader_};
    command->run(context, request.args, Replier(session, id));
  } catch (const ProtocolError& e) {
    session->send(protocol::reply_error(id, e.code(), e.what()), Session::Kind::reply);
  } catch (const std::exception& e) {
    // A bug or an exhausted resource while serving one request must not take the
    // daemon down; the client learns the request failed.
    spdlog::error("control: request failed: {}", e.what());
    try {
      session->send(
          protocol::reply_error(id, ErrorCode::bad_request, std::string("request failed: ") + e.what()),
          Session::Kind::reply);
    } catch (...) {
    }
  } catch (...) {
    spdlog::error("control: request failed with an unknown exception");
    session->send(protocol::reply_error(id, ErrorCode::bad_request, "request failed"), Session::Kind::reply);
  }
}

}  // namespace arbor::control
