#include "daemon/core/restart_range.h"

namespace arbor::core {

RestartRange restart_range(config::Strategy strategy, bool dynamic, std::size_t position, std::size_t count) {
  if (position >= count) return {};  // not a child: nothing to restart
  // A DynamicSupervisor's children are independent, whatever strategy its spec carries.
  if (dynamic) return {position, position + 1};
  switch (strategy) {
    case config::Strategy::one_for_one:
      return {position, position + 1};
    case config::Strategy::one_for_all:
      return {0, count};
    case config::Strategy::rest_for_one:
      return {position, count};
  }
  return {position, position + 1};
}

}  // namespace arbor::core
