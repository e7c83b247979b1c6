#include "daemon/core/node.h"

namespace arbor::core {

Node::Node(Context& ctx, ChildObserver& observer, Supervisor* parent, SpecPtr spec, std::string path)
    : ctx_(ctx), observer_(observer), parent_(parent), spec_(std::move(spec)), path_(std::move(path)) {
  id_ = ctx_.add_node(this);
}

Node::~Node() {
  if (operator_stopped) ctx_.stops_changed();
  ctx_.cancel(restart_timer);
  ctx_.remove_node(id_);
}

void Node::notify(std::function<void(ChildObserver&, NodeId)> fn) {
  // The observer may be gone by the time the queue runs (a removed subtree): look the
  // node up again instead of holding pointers.
  Context& ctx = ctx_;
  const NodeId id = id_;
  ChildObserver* observer = &observer_;
  ctx.post([&ctx, id, observer, fn = std::move(fn)] {
    if (ctx.node(id) != nullptr) fn(*observer, id);
  });
}

std::string child_path(const std::string& parent_path, const std::string& id) {
  if (parent_path.empty() || parent_path == "/") return id;
  return parent_path + "/" + id;
}

}  // namespace arbor::core
