// The worker-only keys of a child spec (docs/CONFIG.md "Workers").
#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "config/internal.h"

namespace arbor::config::detail {
namespace {

constexpr std::array<std::string_view, 15> kWorkerKeys{
    "command", "env",    "cwd",    "user",  "group",  "umask",    "stop_signal", "success_exit_codes",
    "backoff", "stdout", "stderr", "ready", "health", "watchdog", "listen"};
constexpr std::int64_t kMaxId = 4294967294;  // uid_t/gid_t, minus the (id_t)-1 sentinel

void parse_command(const Json& v, const std::string& ptr, WorkerSpec& w, Ctx& ctx) {
  if (auto argv = read_argv(v, ptr, ctx)) w.command = std::move(*argv);
}

void parse_env(const Json& v, const std::string& ptr, WorkerSpec& w, Ctx& ctx) {
  if (!expect_object(v, ptr, ctx)) return;
  for_each_member(v, ptr, ctx, [&](const std::string& key, const Json& value, const std::string& key_ptr) {
    if (key.empty() || key.find_first_of(std::string_view("=\0", 2)) != std::string::npos) {
      ctx.error(key_ptr, "expected a variable name: non-empty, without \"=\" or NUL");
      return;
    }
    if (auto s = read_string(value, key_ptr, ctx)) w.env.emplace_back(key, std::move(*s));
  });
}

// A user or group: a name, or a numeric id written as a number or a string of digits.
std::optional<std::string> read_id_name(const Json& v, const std::string& ptr, Ctx& ctx,
                                        std::string_view what) {
  if (v.is_number_integer() || v.is_number_float()) {
    const auto n = read_int(v, ptr, {0, kMaxId, true}, ctx, fmt::format("a {} name or ", what));
    if (!n) return std::nullopt;
    return std::to_string(*n);
  }
  if (!v.is_string() || v.get_ref<const std::string&>().empty()) {
    ctx.error(ptr, fmt::format("expected a {} name or numeric id, found {}", what, describe(v)));
    return std::nullopt;
  }
  return read_string(v, ptr, ctx, true);
}

void parse_exit_codes(const Json& v, const std::string& ptr, WorkerSpec& w, Ctx& ctx) {
  if (!v.is_array() || v.empty()) {
    ctx.error(ptr,
              fmt::format("expected a non-empty array of integers from 0 to 255, found {}", describe(v)));
    return;
  }
  std::vector<int> codes;
  for (std::size_t i = 0; i < v.size(); ++i)
    if (const auto c = read_int(v[i], join(ptr, i), {0, 255, true}, ctx))
      codes.push_back(static_cast<int>(*c));
  if (codes.size() == v.size()) w.success_exit_codes = std::move(codes);
}

void parse_backoff(const Json& v, const std::string& ptr, WorkerSpec& w, Ctx& ctx) {
  if (!expect_object(v, ptr, ctx)) return;
  std::optional<std::int64_t> initial, max;
  bool present_initial = false, present_max = false;
  for_each_member(v, ptr, ctx, [&](const std::string& key, const Json& value, const std::string& key_ptr) {
    if (key == "initial_ms") {
      present_initial = true;
      initial = read_int(value, key_ptr, {1, kMaxMillis, false}, ctx);
    } else if (key == "max_ms") {
      present_max = true;
      max = read_int(value, key_ptr, {1, kMaxMillis, false}, ctx);
    } else {
      ctx.error(key_ptr, "unknown key");
    }
  });
  if (!present_initial) ctx.error(join(ptr, "initial_ms"), "required");
  if (!present_max) ctx.error(join(ptr, "max_ms"), "required");
  if (initial && max && *max < *initial) {
    ctx.error(join(ptr, "max_ms"),
              fmt::format("expected an integer >= {} (initial_ms), found {}", *initial, *max));
  } else if (initial && max) {
    w.backoff = Backoff{*initial, *max};
  }
}

void parse_output(const Json& v, const std::string& ptr, Output& out, Ctx& ctx) {
  if (v == "log")
    out = {Output::Kind::log, {}};
  else if (v == "inherit")
    out = {Output::Kind::inherit, {}};
  else if (v == "null")
    out = {Output::Kind::null, {}};
  else if (!v.is_object())
    ctx.error(ptr, fmt::format("expected \"log\", \"inherit\", \"null\" or {{\"file\": PATH}}, found {}",
                               describe(v)));
  else {
    bool has_file = false;
    for_each_member(v, ptr, ctx, [&](const std::string& key, const Json& value, const std::string& key_ptr) {
      if (key != "file") return ctx.error(key_ptr, "unknown key");
      has_file = true;
      if (auto path = read_absolute_path(value, key_ptr, ctx)) out = {Output::Kind::file, std::move(*path)};
    });
    if (!has_file) ctx.error(join(ptr, "file"), "required");
  }
}

}  // namespace

bool is_worker_key(std::string_view key) {
  return std::find(kWorkerKeys.begin(), kWorkerKeys.end(), key) != kWorkerKeys.end();
}

void parse_worker_key(const std::string& key, const Json& v, const std::string& ptr, const Json& obj,
                      WorkerSpec& w, Ctx& ctx) {
  if (key == "command") {
    parse_command(v, ptr, w, ctx);
  } else if (key == "env") {
    parse_env(v, ptr, w, ctx);
  } else if (key == "cwd") {
    if (auto path = read_absolute_path(v, ptr, ctx)) {
      check_directory(*path, ptr, ctx);
      w.cwd = std::move(*path);
    }
  } else if (key == "user") {
    if (auto user = read_id_name(v, ptr, ctx, "user")) {
      resolve_user(*user, ptr, find_key(obj, "group") != nullptr, w, ctx);
      w.user = std::move(*user);
    }
  } else if (key == "group") {
    if (auto group = read_id_name(v, ptr, ctx, "group")) {
      resolve_group(*group, ptr, w, ctx);
      w.group = std::move(*group);
    }
  } else if (key == "umask") {
    if (const auto mask = read_umask(v, ptr, ctx)) w.umask = *mask;
  } else if (key == "stop_signal") {
    if (const auto signo = read_signal(v, ptr, ctx)) w.stop_signal = *signo;
  } else if (key == "success_exit_codes") {
    parse_exit_codes(v, ptr, w, ctx);
  } else if (key == "backoff") {
    parse_backoff(v, ptr, w, ctx);
  } else if (key == "stdout") {
    parse_output(v, ptr, w.stdout_spec, ctx);
  } else if (key == "stderr") {
    parse_output(v, ptr, w.stderr_spec, ctx);
  } else if (key == "ready") {
    parse_ready(v, ptr, w, ctx);
  } else if (key == "listen") {
    parse_listen(v, ptr, obj, w, ctx);
  } else if (key == "health") {
    parse_health(v, ptr, w, ctx);
  } else if (key == "watchdog") {
    parse_watchdog(v, ptr, w, ctx);
  }
}

}  // namespace arbor::config::detail
