// Checks against the machine: executables, directories, users and groups. Done at load
// time so that a bad config fails `arbord --check` instead of a start at 3 a.m.
#include <fmt/format.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <limits>

#include "config/internal.h"

namespace arbor::config::detail {
namespace {

bool is_executable_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

std::optional<std::uint32_t> parse_id(const std::string& s) {
  if (s.empty() || s.size() > 10 || s.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  unsigned long long n = 0;
  std::from_chars(s.data(), s.data() + s.size(), n);  // digits only, at most 10: no error
  // (uid_t)-1 means "unchanged" to setresuid, so it is no id.
  if (n >= std::numeric_limits<std::uint32_t>::max()) return std::nullopt;
  return static_cast<std::uint32_t>(n);
}

// The *_r lookups want a caller buffer whose needed size is only known by trying.
template <class Entry, class Key, class Fn>
std::optional<Entry> lookup(Key key, Fn fn, std::vector<char>& buf) {
  buf.resize(4096);
  for (;;) {
    Entry entry{};
    Entry* result = nullptr;
    const int rc = fn(key, &entry, buf.data(), buf.size(), &result);
    if (rc == ERANGE && buf.size() < (1u << 20)) {
      buf.resize(buf.size() * 2);
      continue;
    }
    if (rc != 0 || result == nullptr) return std::nullopt;
    return entry;
  }
}

std::string stat_error(const std::string& path, int err) {
  if (err == ENOENT || err == ENOTDIR) return fmt::format("{} does not exist", quote(path));
  return fmt::format("cannot access {}: {}", quote(path), std::strerror(err));
}

}  // namespace

std::optional<std::string> resolve_command(const std::string& name, const std::string& ptr, Ctx& ctx) {
  if (name.find('/') != std::string::npos) {
    if (!name.starts_with('/')) {
      ctx.error(ptr, fmt::format("expected an absolute path or a bare name to look up on PATH, found {}",
                                 quote(name)));
      return std::nullopt;
    }
    if (!ctx.opts.check_paths) return name;
    struct stat st {};
    if (::stat(name.c_str(), &st) != 0) {
      ctx.error(ptr, stat_error(name, errno));
    } else if (!S_ISREG(st.st_mode)) {
      ctx.error(ptr, fmt::format("{} is not a regular file", quote(name)));
    } else if (::access(name.c_str(), X_OK) != 0) {
      ctx.error(ptr, fmt::format("{} is not executable", quote(name)));
    } else {
      return name;
    }
    return std::nullopt;
  }
  // Empty and relative PATH entries are skipped: the result must be absolute, and the
  // daemon's working directory is no place to find programs.
  std::string_view rest = ctx.path_env;
  while (!rest.empty()) {
    const std::size_t colon = rest.find(':');
    const std::string_view dir = rest.substr(0, colon);
    rest = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon + 1);
    if (!dir.starts_with('/')) continue;
    std::string candidate(dir);
    if (!candidate.ends_with('/')) candidate += '/';
    candidate += name;
    if (is_executable_file(candidate)) return candidate;
  }
  ctx.error(ptr, fmt::format("{} not found on PATH", quote(name)));
  return std::nullopt;
}

void check_directory(const std::string& path, const std::string& ptr, Ctx& ctx) {
  if (!ctx.opts.check_paths) return;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    ctx.error(ptr, stat_error(path, errno));
  else if (!S_ISDIR(st.st_mode))
    ctx.error(ptr, fmt::format("{} is not a directory", quote(path)));
}

void resolve_user(const std::string& user, const std::string& ptr, bool has_group, WorkerSpec& w, Ctx& ctx) {
  const auto numeric = parse_id(user);
  if (!ctx.opts.resolve_users) {
    if (numeric) w.uid = *numeric;
    return;
  }
  std::vector<char> buf;
  std::optional<passwd> pw;
  if (numeric)
    pw = lookup<passwd>(static_cast<uid_t>(*numeric), ::getpwuid_r, buf);
  else
    pw = lookup<passwd>(user.c_str(), ::getpwnam_r, buf);
  if (!numeric && !pw) {
    ctx.error(ptr, fmt::format("unknown user {}", quote(user)));
    return;
  }
  if (!pw && !has_group) {
    ctx.error(ptr, fmt::format("uid {} has no passwd entry, so \"group\" is required", *numeric));
    return;
  }
  w.uid = numeric ? static_cast<uid_t>(*numeric) : pw->pw_uid;
  if (!has_group) w.gid = pw->pw_gid;
}

void resolve_group(const std::string& group, const std::string& ptr, WorkerSpec& w, Ctx& ctx) {
  if (const auto numeric = parse_id(group)) {
    w.gid = *numeric;
    return;
  }
  if (!ctx.opts.resolve_users) return;
  std::vector<char> buf;
  const auto gr = lookup<struct group>(group.c_str(), ::getgrnam_r, buf);
  if (!gr)
    ctx.error(ptr, fmt::format("unknown group {}", quote(group)));
  else
    w.gid = gr->gr_gid;
}

}  // namespace arbor::config::detail
