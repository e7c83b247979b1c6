// A child spec: the keys common to all children, supervisors, dynamic supervisors and
// their templates, and the rules that span keys (ids, significance, required keys).
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <limits>

#include "config/internal.h"

namespace arbor::config::detail {
namespace {

using Kind = ChildContext::Kind;

constexpr std::array<std::string_view, 5> kSupervisorKeys{"strategy", "max_restarts", "max_seconds",
                                                          "auto_shutdown", "children"};
constexpr std::array<std::string_view, 5> kDynamicKeys{"max_restarts", "max_seconds", "auto_shutdown",
                                                       "max_children", "template"};
constexpr int kMaxIdLength = 64;

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& keys, std::string_view key) {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

bool is_key_of(ChildType type, std::string_view key) {
  switch (type) {
    case ChildType::worker:
      return is_worker_key(key);
    case ChildType::supervisor:
      return contains(kSupervisorKeys, key);
    case ChildType::dynamic_supervisor:
      return contains(kDynamicKeys, key);
  }
  return false;
}

bool valid_id(const std::string& id) {
  return !id.empty() && id.size() <= kMaxIdLength && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
}

void parse_id(const Json& v, const std::string& ptr, const ChildContext& cc, ChildSpec& c, Ctx& ctx) {
  if (!v.is_string() || !valid_id(v.get_ref<const std::string&>())) {
    ctx.error(ptr, fmt::format("expected 1 to 64 characters of [A-Za-z0-9_.-], found {}", describe(v)));
    return;
  }
  c.id = v.get<std::string>();
  if (cc.sibling_ids == nullptr) return;
  const auto [it, inserted] = cc.sibling_ids->emplace(c.id, ptr);
  if (!inserted) ctx.error(ptr, fmt::format("duplicate id {} (first at {})", quote(c.id), it->second));
}

// OTP refuses significant children that could never end on their own accord, or whose
// ending nobody would act on. Restart may come after "significant" in the file: look ahead.
void check_significant(const Json& obj, const std::string& ptr, const ChildContext& cc, Ctx& ctx) {
  const Json* restart_v = find_key(obj, "restart");
  const auto restart = restart_v ? peek(restart_v, restart_type_from_string) : RestartType::permanent;
  if (restart == RestartType::permanent)
    ctx.error(ptr, "not allowed on a permanent child (make it \"transient\" or \"temporary\")");
  if (cc.parent_auto_shutdown == AutoShutdown::never)
    ctx.error(ptr, "not allowed under a supervisor whose auto_shutdown is \"never\"");
}

// The restarts that make a supervisor give up are spaced by at least the backoff delays
// (minus 10% jitter); when they cannot fit in max_seconds, the limit is dead weight.
void warn_backoff(const ChildSpec& child, const std::string& ptr, const SupervisorSpec& sup, Ctx& ctx) {
  if (!child.is_worker() || !child.worker.backoff) return;
  const auto [initial, max] = *child.worker.backoff;
  const std::int64_t needed = static_cast<std::int64_t>(sup.max_restarts) + 1;
  double span = 0;
  double delay = static_cast<double>(initial);
  for (std::int64_t k = 2; k <= needed; ++k) {
    delay = std::min(static_cast<double>(max), delay * 2);
    if (delay >= static_cast<double>(max)) {
      span += 0.9 * delay * static_cast<double>(needed - k + 1);
      break;
    }
    span += 0.9 * delay;
  }
  const double window_ms = static_cast<double>(sup.max_seconds) * 1000;
  if (span <= window_ms) return;
  ctx.warn(
      join(ptr, "backoff"),
      fmt::format("max_restarts is unreachable with this backoff: {} restarts span at least {} ms, more than "
                  "max_seconds ({} s)",
                  needed, static_cast<std::int64_t>(span), sup.max_seconds));
}

struct SupervisorState {
  std::optional<AutoShutdown> own_auto_shutdown;
  std::map<std::string, std::string> child_ids;
  std::vector<std::pair<std::string, const ChildSpec*>> for_warnings;
  bool has_template = false;
};

void parse_children(const Json& v, const std::string& ptr, SupervisorSpec& s, SupervisorState& st, Ctx& ctx) {
  if (!v.is_array()) {
    ctx.error(ptr, fmt::format("expected an array, found {}", describe(v)));
    return;
  }
  s.children.reserve(v.size());  // for_warnings points into it
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::string child_ptr = join(ptr, i);
    const ChildContext cc{Kind::child, st.own_auto_shutdown, &st.child_ids};
    if (auto child = parse_child(v[i], child_ptr, cc, ctx)) {
      s.children.push_back(std::move(*child));
      st.for_warnings.emplace_back(child_ptr, &s.children.back());
    }
  }
}

void parse_supervisor_key(const std::string& key, const Json& v, const std::string& ptr, SupervisorSpec& s,
                          SupervisorState& st, Ctx& ctx) {
  if (key == "strategy") {
    if (const auto x = read_strategy(v, ptr, ctx)) s.strategy = *x;
  } else if (key == "max_restarts") {
    if (const auto n = read_int(v, ptr, {0, std::numeric_limits<int>::max(), false}, ctx))
      s.max_restarts = static_cast<int>(*n);
  } else if (key == "max_seconds") {
    if (const auto n = read_int(v, ptr, {1, std::numeric_limits<std::int32_t>::max(), false}, ctx))
      s.max_seconds = *n;
  } else if (key == "auto_shutdown") {
    if (const auto x = read_auto_shutdown(v, ptr, ctx)) s.auto_shutdown = *x;
  } else if (key == "children") {
    parse_children(v, ptr, s, st, ctx);
  } else if (key == "max_children") {
    if (v != "infinity") {
      const auto n =
          read_int(v, ptr, {0, std::numeric_limits<std::int64_t>::max(), false}, ctx, "\"infinity\" or ");
      if (n) s.max_children = static_cast<std::size_t>(*n);
    }
  } else if (key == "template") {
    st.has_template = true;
    if (auto t = parse_child(v, ptr, {Kind::child_template, st.own_auto_shutdown, nullptr}, ctx)) {
      s.child_template = std::make_shared<const ChildSpec>(std::move(*t));
      st.for_warnings.emplace_back(ptr, s.child_template.get());
    }
  }
}

std::optional<ChildType> initial_type(const Json& obj, Kind kind) {
  switch (kind) {
    case Kind::root:
      return ChildType::supervisor;
    case Kind::child_template:
      return ChildType::worker;
    case Kind::child:
      break;
  }
  const Json* type_v = find_key(obj, "type");
  return type_v ? peek(type_v, child_type_from_string) : ChildType::worker;
}

void parse_type(const Json& v, const std::string& ptr, Kind kind, Ctx& ctx) {
  if (kind == Kind::root && v != "supervisor")
    ctx.error(ptr, fmt::format("expected \"supervisor\" (the root is a supervisor), found {}", describe(v)));
  else if (kind == Kind::child_template && v != "worker")
    ctx.error(ptr, fmt::format("expected \"worker\" (a template is a worker spec), found {}", describe(v)));
  else if (kind == Kind::child)
    read_child_type(v, ptr, ctx);
}

}  // namespace

std::optional<ChildSpec> parse_child(const Json& j, const std::string& ptr, const ChildContext& cc,
                                     Ctx& ctx) {
  if (!expect_object(j, ptr, ctx)) return std::nullopt;
  const std::size_t errors_before = ctx.errors.size();
  ChildSpec c;
  const std::optional<ChildType> type = initial_type(j, cc.kind);
  if (type) c.type = *type;
  if (type && *type != ChildType::worker) c.shutdown = Shutdown::infinite();
  SupervisorState st;
  const Json* auto_v = find_key(j, "auto_shutdown");
  st.own_auto_shutdown = auto_v ? peek(auto_v, auto_shutdown_from_string) : AutoShutdown::never;
  bool has_id = false, has_command = false;

  for_each_member(j, ptr, ctx, [&](const std::string& key, const Json& v, const std::string& key_ptr) {
    const bool common = key == "id" || key == "restart" || key == "shutdown" || key == "significant";
    if (common && cc.kind == Kind::root) {
      ctx.error(key_ptr, "not allowed on the root supervisor");
    } else if (key == "id" && cc.kind == Kind::child_template) {
      ctx.error(key_ptr, "not allowed in a template (its children get the ids 1, 2, ...)");
    } else if (key == "id") {
      has_id = true;
      parse_id(v, key_ptr, cc, c, ctx);
    } else if (key == "type") {
      parse_type(v, key_ptr, cc.kind, ctx);
    } else if (key == "limits") {
      parse_limits(v, key_ptr, *c.limits, ctx);
    } else if (key == "restart") {
      if (const auto r = read_restart(v, key_ptr, ctx)) c.restart = *r;
    } else if (key == "shutdown") {
      if (const auto s = read_shutdown(v, key_ptr, ctx)) c.shutdown = *s;
    } else if (key == "significant") {
      const auto b = read_bool(v, key_ptr, ctx);
      if (b && *b) check_significant(j, key_ptr, cc, ctx);
      if (b) c.significant = *b;
    } else if (type && is_key_of(*type, key)) {
      if (*type == ChildType::worker && key == "listen" && cc.kind == Kind::child_template) {
        ctx.error(key_ptr,
                  "not allowed in a template (every child made from it would bind the same address)");
      } else if (*type == ChildType::worker) {
        has_command = has_command || key == "command";
        parse_worker_key(key, v, key_ptr, j, c.worker, ctx);
      } else {
        parse_supervisor_key(key, v, key_ptr, *c.supervisor, st, ctx);
      }
    } else if (is_key_of(ChildType::worker, key) || is_key_of(ChildType::supervisor, key) ||
               is_key_of(ChildType::dynamic_supervisor, key)) {
      // With an invalid type there is no telling which keys belong: its error is enough.
      if (type) ctx.error(key_ptr, fmt::format("unknown key for a {}", to_string(*type)));
    } else {
      ctx.error(key_ptr, "unknown key");
    }
  });

  if (cc.kind == Kind::child && !has_id) ctx.error(join(ptr, "id"), "required");
  if (type == ChildType::worker && !has_command) ctx.error(join(ptr, "command"), "required");
  if (type == ChildType::dynamic_supervisor && !st.has_template) ctx.error(join(ptr, "template"), "required");
  for (const auto& [child_ptr, child] : st.for_warnings) warn_backoff(*child, child_ptr, *c.supervisor, ctx);

  if (ctx.errors.size() != errors_before) return std::nullopt;
  // assign(1, ...) rather than = "/": GCC 12 gives a false -Wrestrict on the latter.
  if (cc.kind == Kind::root) c.id.assign(1, '/');
  return c;
}

}  // namespace arbor::config::detail
