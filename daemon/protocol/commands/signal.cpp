#include "daemon/protocol/commands/signal.h"

#include "daemon/protocol/args.h"

namespace arbor::protocol::commands {

using nlohmann::json;

Signal::Request Signal::Request::from_json(const json& a) {
  args::only(a, {"path", "signal"});
  Request r;
  r.path = args::path(a);
  const json sig = a.value("signal", json());
  if (sig.is_string()) {
    r.signal = sig.get<std::string>();
  } else if (sig.is_number_integer()) {
    r.signal = std::to_string(sig.get<std::int64_t>());
    r.numeric = true;
  } else {
    throw ProtocolError(ErrorCode::bad_request,
                        "missing argument \"signal\" (a name such as TERM, or a number)");
  }
  return r;
}

json Signal::Request::to_json() const {
  return json{{"path", path}, {"signal", numeric ? json(std::stoll(signal)) : json(signal)}};
}

Signal::Result Signal::Result::from_json(const json& j) {
  return Result{get_string(j, "path"), get_string(j, "signal")};
}

json Signal::Result::to_json() const { return json{{"path", path}, {"signal", signal}}; }

}  // namespace arbor::protocol::commands
