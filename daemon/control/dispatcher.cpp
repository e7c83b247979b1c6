#include "daemon/control/dispatcher.h"

#include <spdlog/spdlog.h>

#include "daemon/control/command.h"

namespace arbor::control {

using nlohmann::json;
using protocol::ErrorCode;
using protocol::ProtocolError;

void Dispatcher::handle(const std::shared_ptr<Session>& session, std::string_view line) noexcept {
  json id;
  try {
    const protocol::Request request = protocol::parse_request(line, id);
    const Command* command = nullptr;
    for (const Command& c : command_table()) {
      if (c.name == request.cmd) command = &c;
    }
    if (command == nullptr) throw ProtocolError(ErrorCode::bad_request, "unknown cmd \"" + request.cmd + "\"");
    Call call{daemon_, reloader_, request.args, Replier(session, id)};
    command->handler(call);
  } catch (const ProtocolError& e) {
    session->send(protocol::reply_error(id, e.code(), e.what()), Session::Kind::reply);
  } catch (const std::exception& e) {
    // A bug or an exhausted resource while serving one request must not take the
    // daemon down; the client learns the request failed.
    spdlog::error("control: request failed: {}", e.what());
    try {
      session->send(protocol::reply_error(id, ErrorCode::bad_request, std::string("request failed: ") + e.what()),
                    Session::Kind::reply);
    } catch (...) {
    }
  } catch (...) {
    spdlog::error("control: request failed with an unknown exception");
    session->send(protocol::reply_error(id, ErrorCode::bad_request, "request failed"), Session::Kind::reply);
  }
}

}  // namespace arbor::control
