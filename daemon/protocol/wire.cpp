#include "daemon/protocol/wire.h"

namespace arbor::protocol {

using nlohmann::json;

Request parse_request(std::string_view line, json& id_out) {
  id_out = nullptr;
  json doc = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) throw ProtocolError(ErrorCode::bad_request, "malformed JSON");
  if (!doc.is_object()) throw ProtocolError(ErrorCode::bad_request, "a request must be a JSON object");
  if (auto it = doc.find("id"); it != doc.end()) {
    if (!it->is_null() && !it->is_number_integer() && !it->is_string()) {
      throw ProtocolError(ErrorCode::bad_request, "\"id\" must be an integer, a string or null");
    }
    id_out = *it;
  }
  Request request;
  request.id = id_out;
  for (const auto& [key, value] : doc.items()) {
    if (key != "id" && key != "cmd" && key != "args") {
      throw ProtocolError(ErrorCode::bad_request, "unknown request key \"" + key + "\"");
    }
  }
  auto cmd = doc.find("cmd");
  if (cmd == doc.end() || !cmd->is_string()) {
    throw ProtocolError(ErrorCode::bad_request, "\"cmd\" must be a string");
  }
  request.cmd = cmd->get<std::string>();
  if (auto args = doc.find("args"); args != doc.end() && !args->is_null()) {
    if (!args->is_object()) throw ProtocolError(ErrorCode::bad_request, "\"args\" must be an object");
    request.args = *args;
  }
  return request;
}

json make_request(const json& id, std::string_view cmd, json args) {
  return json{{"id", id}, {"cmd", cmd}, {"args", std::move(args)}};
}

json reply_ok(const json& id, json result) {
  return json{{"id", id}, {"ok", true}, {"result", std::move(result)}};
}

json reply_error(const json& id, ErrorCode code, std::string_view message) {
  return json{{"id", id}, {"ok", false}, {"error", {{"code", to_string(code)}, {"message", message}}}};
}

std::string encode_reply_ok(const json& id, std::string_view result) {
  // The keys in reply_ok's order (sorted): the same bytes encode_line would write.
  std::string line =
      "{\"id\":" + id.dump(-1, ' ', false, json::error_handler_t::replace) + ",\"ok\":true,\"result\":";
  line.append(result);
  line += "}\n";
  return line;
}

std::string encode_line(const json& message) {
  std::string line = message.dump(-1, ' ', false, json::error_handler_t::replace);
  line.push_back('\n');
  return line;
}

Reply parse_reply(std::string_view line) {
  json doc = json::parse(line, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("ok") || !doc["ok"].is_boolean()) {
    throw ProtocolError(ErrorCode::bad_request, "not a reply: " + std::string(line.substr(0, 200)));
  }
  Reply reply;
  reply.id = doc.value("id", json());
  reply.ok = doc["ok"].get<bool>();
  if (reply.ok) {
    reply.result = doc.value("result", json());
  } else {
    const json error = doc.value("error", json::object());
    reply.error_code = error.is_object() ? error.value("code", "bad_request") : "bad_request";
    reply.error_message = error.is_object() ? error.value("message", "") : "";
  }
  return reply;
}

}  // namespace arbor::protocol
