// Readers for scalar values. Each states the expectation in its message, so a
// wrong type and an out-of-range value read the same way.
#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cstdlib>
#include <unordered_set>

#include "config/internal.h"

namespace arbor::config::detail {
namespace {

template <class T, std::size_t N>
std::string one_of(const std::array<T, N>& names) {
  std::string out;
  for (std::size_t i = 0; i < N; ++i) {
    if (i > 0) out += (i + 1 == N) ? " or " : ", ";
    out += fmt::format("\"{}\"", names[i]);
  }
  return out;
}

template <class T, std::size_t N>
std::optional<T> read_enum(const Json& v, const std::string& ptr, Ctx& ctx, const std::array<T, N>& values) {
  if (v.is_string()) {
    for (const T value : values)
      if (to_string(value) == v.get_ref<const std::string&>()) return value;
  }
  std::array<std::string_view, N> names;
  for (std::size_t i = 0; i < N; ++i) names[i] = to_string(values[i]);
  ctx.error(ptr, fmt::format("expected {}, found {}", one_of(names), describe(v)));
  return std::nullopt;
}

std::string range_text(std::int64_t min, std::int64_t max, bool show_max) {
  return show_max ? fmt::format(" from {} to {}", min, max) : fmt::format(" >= {}", min);
}

}  // namespace

std::optional<std::int64_t> read_int(const Json& v, const std::string& ptr, IntRange r, Ctx& ctx,
                                     std::string_view alternatives, std::string_view noun) {
  std::optional<std::int64_t> value;
  bool too_large = false;
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(r.max))
      too_large = true;
    else
      value = static_cast<std::int64_t>(u);
  } else if (v.is_number_integer()) {
    value = v.get<std::int64_t>();
    if (*value > r.max) {
      too_large = true;
      value.reset();
    }
  }
  if (value && *value >= r.min) return value;
  ctx.error(ptr, fmt::format("expected {}{}{}, found {}", alternatives, noun,
                             range_text(r.min, r.max, r.show_max || too_large), describe(v)));
  return std::nullopt;
}

std::optional<std::string> read_string(const Json& v, const std::string& ptr, Ctx& ctx, bool non_empty) {
  const char* expected = non_empty ? "a non-empty string" : "a string";
  if (!v.is_string() || (non_empty && v.get_ref<const std::string&>().empty())) {
    ctx.error(ptr, fmt::format("expected {}, found {}", expected, describe(v)));
    return std::nullopt;
  }
  const auto& s = v.get_ref<const std::string&>();
  // Every string ends up in argv, the environment or a path, where NUL cannot go.
  if (s.find('\0') != std::string::npos) {
    ctx.error(ptr, fmt::format("expected {} without NUL characters, found {}", expected, describe(v)));
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> read_absolute_path(const Json& v, const std::string& ptr, Ctx& ctx) {
  if (!v.is_string() || !v.get_ref<const std::string&>().starts_with('/')) {
    ctx.error(ptr, fmt::format("expected an absolute path, found {}", describe(v)));
    return std::nullopt;
  }
  return read_string(v, ptr, ctx, true);
}

std::optional<bool> read_bool(const Json& v, const std::string& ptr, Ctx& ctx) {
  if (v.is_boolean()) return v.get<bool>();
  ctx.error(ptr, fmt::format("expected true or false, found {}", describe(v)));
  return std::nullopt;
}

bool expect_object(const Json& v, const std::string& ptr, Ctx& ctx) {
  if (v.is_object()) return true;
  ctx.error(ptr, fmt::format("expected an object, found {}", describe(v)));
  return false;
}

std::optional<Shutdown> read_shutdown(const Json& v, const std::string& ptr, Ctx& ctx) {
  if (v.is_string()) {
    if (v == "brutal_kill") return Shutdown::brutal();
    if (v == "infinity") return Shutdown::infinite();
  }
  const auto ms =
      read_int(v, ptr, {0, kMaxMillis, false}, ctx, "\"brutal_kill\", \"infinity\" or ", "milliseconds");
  if (!ms) return std::nullopt;
  return Shutdown::after(*ms);
}

std::optional<int> read_signal(const Json& v, const std::string& ptr, Ctx& ctx) {
  std::optional<int> signo;
  if (v.is_string())
    signo = signal_from_name(v.get_ref<const std::string&>());
  else if (v.is_number_integer() && v.get<std::int64_t>() >= 1 && v.get<std::int64_t>() <= 64)
    signo = v.get<int>();
  if (!signo)
    ctx.error(ptr, fmt::format("expected a signal name like \"TERM\" or a number from 1 to 64, found {}",
                               describe(v)));
  return signo;
}

std::optional<mode_t> octal_mode(const Json& v) {
  if (!v.is_string()) return std::nullopt;
  const auto& s = v.get_ref<const std::string&>();
  if (s.empty() || s.size() > 4 || s.find_first_not_of("01234567") != std::string::npos) return std::nullopt;
  unsigned mode = 0;
  std::from_chars(s.data(), s.data() + s.size(), mode, 8);  // octal digits only, at most 4: no error
  if (mode > 0777) return std::nullopt;
  return static_cast<mode_t>(mode);
}

std::optional<std::vector<std::string>> read_argv(const Json& v, const std::string& ptr, Ctx& ctx) {
  if (!v.is_array() || v.empty()) {
    ctx.error(ptr, fmt::format("expected a non-empty array of strings, found {}", describe(v)));
    return std::nullopt;
  }
  std::vector<std::string> argv;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::string item_ptr = join(ptr, i);
    auto arg = read_string(v[i], item_ptr, ctx, i == 0);
    if (arg && i == 0) arg = resolve_command(*arg, item_ptr, ctx);
    if (arg) argv.push_back(std::move(*arg));
  }
  if (argv.size() != v.size()) return std::nullopt;
  return argv;
}

std::optional<mode_t> read_umask(const Json& v, const std::string& ptr, Ctx& ctx) {
  if (const auto mode = octal_mode(v)) return mode;
  if (v.is_number_integer() && v.get<std::int64_t>() >= 0 && v.get<std::int64_t>() <= 0777) {
    return static_cast<mode_t>(v.get<std::int64_t>());
  }
  ctx.error(ptr, fmt::format("expected an octal string like \"022\" or an integer from 0 to 511, found {}",
                             describe(v)));
  return std::nullopt;
}

std::optional<ChildType> read_child_type(const Json& v, const std::string& ptr, Ctx& ctx) {
  return read_enum(v, ptr, ctx,
                   std::array{ChildType::worker, ChildType::supervisor, ChildType::dynamic_supervisor});
}
std::optional<RestartType> read_restart(const Json& v, const std::string& ptr, Ctx& ctx) {
  return read_enum(v, ptr, ctx,
                   std::array{RestartType::permanent, RestartType::transient, RestartType::temporary});
}
std::optional<Strategy> read_strategy(const Json& v, const std::string& ptr, Ctx& ctx) {
  return read_enum(v, ptr, ctx,
                   std::array{Strategy::one_for_one, Strategy::one_for_all, Strategy::rest_for_one});
}
std::optional<AutoShutdown> read_auto_shutdown(const Json& v, const std::string& ptr, Ctx& ctx) {
  return read_enum(
      v, ptr, ctx,
      std::array{AutoShutdown::never, AutoShutdown::any_significant, AutoShutdown::all_significant});
}

const Json* find_key(const Json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  for (const auto& [k, v] : object.get_ref<const Json::object_t&>())
    if (k == key) return &v;
  return nullptr;
}

void for_each_member(const Json& object, const std::string& ptr, Ctx& ctx,
                     const std::function<void(const std::string&, const Json&, const std::string&)>& fn) {
  std::unordered_set<std::string_view> seen;
  for (const auto& [key, value] : object.get_ref<const Json::object_t&>()) {
    if (!seen.insert(key).second) {
      ctx.error(ptr, fmt::format("duplicate key {}", quote(key)));
      continue;
    }
    fn(key, value, join(ptr, key));
  }
}

Ctx::Ctx(const LoadOptions& options) : opts(options), path_env(options.path_env) {
  if (path_env.empty()) {
    const char* env = std::getenv("PATH");
    path_env = (env != nullptr && *env != '\0') ? env : "/usr/local/bin:/usr/bin:/bin";
  }
}

}  // namespace arbor::config::detail
