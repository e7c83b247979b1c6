// `arborctl reexec`, the new program's half (docs/DESIGN.md, "In-place upgrade"): the
// tree, the workers' descriptors, the events and the group record taken over from the
// state; the answer sent on the client's socket. If the tree cannot be taken over, the old
// tree's groups are killed and it starts again from the configuration, and the answer says
// why (nothing is left running unsupervised).
#include <spdlog/spdlog.h>

#include <malloc.h>

#include "arbor_version.h"
#include "daemon/app/app.h"
#include "daemon/app/reexec_state.h"
#include "daemon/control/socket/control_server.h"
#include "daemon/core/node.h"
#include "daemon/host/group_record.h"
#include "daemon/protocol/commands/reexec.h"
#include "daemon/protocol/wire.h"

namespace arbor::app {

void App::adopt_state() {
  ReexecState& state = *options_.adopt;
  std::string why;
  const bool adopted = adopt_tree(state, why);
  answer_reexec(state.header.client_fd, state.header.request_id, adopted, why);
  malloc_trim(0);
}

bool App::adopt_tree(ReexecState& state, std::string& why) {
  events_.restore(state.event_seq, state.history);
  state.history.clear();
  if (tree_->adopt(state.snapshot, now(), why)) {
    runner_->adopt(state.workers, state.listen, [this](const std::string& path) {
      const core::Node* node = tree_->find(path);
      return node != nullptr && node->is_worker() && node->spec().worker.watchdog_ms.has_value();
    });
    spdlog::info("reexec: arbord {} took over the tree and {} workers", ARBOR_VERSION, state.workers.size());
    systemd_.send("READY=1\nSTATUS=" + summary());
    return true;
  }
  why = "could not take the tree over (" + why + "); its workers were killed and it started again";
  spdlog::error("reexec: {}", why);
  abandon_handover(state.header, {state.header.client_fd, state.listener_fd, state.record_fd});
  if (options_.group_record) options_.group_record->forget_groups();
  tree_ = std::make_unique<core::SupervisorTree>(static_cast<core::Host&>(*this), state.snapshot.root_spec);
  tree_->boot(now());
  return false;
}

void App::answer_reexec(int fd, const nlohmann::json& id, bool adopted, const std::string& why) {
  if (fd < 0 || !control_) return;
  const protocol::commands::Reexec::Result result{ARBOR_VERSION, adopted, adopted ? std::string() : why};
  control_->adopt_client(fd, protocol::reply_ok(id, result.to_json()));
}

}  // namespace arbor::app
