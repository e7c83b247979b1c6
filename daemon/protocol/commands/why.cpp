#include "daemon/protocol/commands/why.h"

namespace arbor::protocol::commands {

using nlohmann::json;

Why::Result Why::Result::from_json(const json& j) {
  Result r;
  if (!j.is_object()) return r;
  if (auto c = j.find("chain"); c != j.end() && c->is_array()) {
    r.chain.reserve(c->size());
    for (const json& e : *c) r.chain.push_back(Event::from_json(e));
  }
  return r;
}

json Why::Result::to_json() const {
  json chain_json = json::array();
  for (const Event& e : chain) chain_json.push_back(e.to_json());
  return json{{"chain", std::move(chain_json)}};
}

}  // namespace arbor::protocol::commands
