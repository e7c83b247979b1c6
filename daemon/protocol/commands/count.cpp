#include "daemon/protocol/commands/count.h"

namespace arbor::protocol::commands {

using nlohmann::json;

Count::Result Count::Result::from_json(const json& j) {
  Result r;
  r.specs = static_cast<std::uint64_t>(get_int(j, "specs"));
  r.active = static_cast<std::uint64_t>(get_int(j, "active"));
  r.supervisors = static_cast<std::uint64_t>(get_int(j, "supervisors"));
  r.workers = static_cast<std::uint64_t>(get_int(j, "workers"));
  return r;
}

json Count::Result::to_json() const {
  return json{{"specs", specs}, {"active", active}, {"supervisors", supervisors}, {"workers", workers}};
}

}  // namespace arbor::protocol::commands
