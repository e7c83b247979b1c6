// Entry points: the top level of the file, reading files, and the no-throw boundary.
#include <climits>
#include <cstdlib>
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>

#include "config/internal.h"

namespace arbor::config {
namespace {

using detail::Ctx;
using detail::Json;

constexpr std::size_t kMaxSocketPath = 107;  // sizeof(sockaddr_un::sun_path) - 1

void parse_logs(const Json& v, const std::string& ptr, LogsSpec& logs, Ctx& ctx) {
  if (!detail::expect_object(v, ptr, ctx)) return;
  detail::for_each_member(
      v, ptr, ctx, [&](const std::string& key, const Json& value, const std::string& key_ptr) {
        if (key == "max_bytes") {
          const auto n =
              detail::read_int(value, key_ptr, {1, std::numeric_limits<std::int64_t>::max(), false}, ctx);
          if (n) logs.max_bytes = static_cast<std::uint64_t>(*n);
        } else if (key == "keep") {
          // Rotation renames .1 ... .keep one by one; beyond 1000 it is surely a typo.
          if (const auto n = detail::read_int(value, key_ptr, {0, 1000, true}, ctx))
            logs.keep = static_cast<int>(*n);
        } else {
          ctx.error(key_ptr, "unknown key");
        }
      });
}

// A relative path is relative to `base` (or the current directory): arbord and the
// workers may run elsewhere, so everything stored is absolute.
std::string resolve_against(const std::string& base, std::string path) {
  if (path.empty() || path.front() == '/') return path;
  std::string dir = base;
  if (dir.empty()) {
    char cwd[4096];
    if (getcwd(cwd, sizeof cwd) != nullptr) dir = cwd;
  }
  if (dir.empty()) return path;
  return dir.back() == '/' ? dir + path : dir + "/" + path;
}

std::optional<TreeSpec> parse_tree(const Json& doc, Ctx& ctx) {
  if (!detail::expect_object(doc, "", ctx)) return std::nullopt;
  TreeSpec tree;
  bool has_root = false;
  detail::for_each_member(doc, "", ctx, [&](const std::string& key, const Json& v, const std::string& ptr) {
    if (key == "socket") {
      auto s = detail::read_string(v, ptr, ctx, true);
      if (s && s->size() > kMaxSocketPath)
        ctx.error(ptr,
                  fmt::format("expected at most {} bytes (the limit of a Unix socket path), found {} bytes",
                              kMaxSocketPath, s->size()));
      else if (s)
        tree.socket = resolve_against(ctx.opts.base_dir, std::move(*s));
    } else if (key == "log_dir") {
      if (auto s = detail::read_string(v, ptr, ctx, true))
        tree.log_dir = resolve_against(ctx.opts.base_dir, std::move(*s));
    } else if (key == "state_file") {
      if (auto s = detail::read_string(v, ptr, ctx, true))
        tree.state_file = resolve_against(ctx.opts.base_dir, std::move(*s));
    } else if (key == "logs") {
      parse_logs(v, ptr, tree.logs, ctx);
    } else if (key == "auto_shutdown_exit_code") {
      if (v.is_string() && v.get_ref<const std::string&>() == "zero")
        tree.auto_shutdown_exit_code = AutoShutdownExitCode::zero;
      else if (v.is_string() && v.get_ref<const std::string&>() == "child")
        tree.auto_shutdown_exit_code = AutoShutdownExitCode::child;
      else
        ctx.error(ptr, fmt::format("expected \"zero\" or \"child\", found {}", detail::describe(v)));
    } else if (key == "cgroups") {
      if (const auto mode = detail::read_cgroups_mode(v, ptr, ctx)) tree.cgroups = *mode;
    } else if (key == "metrics") {
      detail::parse_metrics(v, ptr, tree.metrics, ctx);
    } else if (key == "root") {
      has_root = true;
      const detail::ChildContext cc{detail::ChildContext::Kind::root, std::nullopt, nullptr};
      if (auto root = detail::parse_child(v, ptr, cc, ctx)) tree.root = std::move(*root);
    } else {
      ctx.error(ptr, "unknown key");
    }
  });
  if (!has_root) ctx.error("/root", "required");
  if (!ctx.errors.empty()) return std::nullopt;
  return tree;
}

LoadResult internal_error(const char* what) {
  LoadResult r;
  r.errors.push_back({"", fmt::format("internal error while loading the configuration: {}", what)});
  return r;
}

}  // namespace

LoadResult load_text(std::string_view json_text, const LoadOptions& options) {
  try {
    detail::ReadResult read = detail::read_json(json_text);
    if (!read.doc) return LoadResult{std::nullopt, {*read.error}, {}};
    Ctx ctx(options);
    auto tree = parse_tree(*read.doc, ctx);
    return LoadResult{std::move(tree), std::move(ctx.errors), std::move(ctx.warnings)};
  } catch (const std::exception& e) {
    return internal_error(e.what());
  } catch (...) {
    return internal_error("unknown exception");
  }
}

LoadResult load_file(const std::string& path, const LoadOptions& options) {
  const auto failed = [&](int err) {
    return LoadResult{std::nullopt, {{"", fmt::format("cannot read: {}", std::strerror(err))}}, {}};
  };
  try {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return failed(errno);
    std::string text;
    char buf[65536];
    for (;;) {
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        const int err = errno;
        ::close(fd);
        return failed(err);
      }
      if (n == 0) break;
      text.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    LoadOptions with_base = options;
    if (with_base.base_dir.empty()) {
      const std::size_t slash = path.rfind('/');
      std::string dir = slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash);
      char resolved[PATH_MAX];
      if (realpath(dir.c_str(), resolved) != nullptr) with_base.base_dir = resolved;
    }
    return load_text(text, with_base);
  } catch (const std::exception& e) {
    return internal_error(e.what());
  }
}

ChildResult load_child(const nlohmann::json& j, const std::string& pointer_prefix,
                       const LoadOptions& options) {
  try {
    const auto doc = detail::to_ordered(j);
    if (!doc)
      return ChildResult{std::nullopt,
                         {{pointer_prefix, fmt::format("nesting deeper than {} levels", detail::kMaxDepth)}}};
    Ctx ctx(options);
    const detail::ChildContext cc{detail::ChildContext::Kind::child, options.parent_auto_shutdown, nullptr};
    auto child = detail::parse_child(*doc, pointer_prefix, cc, ctx);
    return ChildResult{std::move(child), std::move(ctx.errors)};
  } catch (const std::exception& e) {
    return ChildResult{
        std::nullopt, {{pointer_prefix, fmt::format("internal error while loading the spec: {}", e.what())}}};
  } catch (...) {
    return ChildResult{std::nullopt, {{pointer_prefix, "internal error while loading the spec"}}};
  }
}

}  // namespace arbor::config
