// The "listen" key of a worker (docs/CONFIG.md "listen"): TCP addresses, unix socket paths,
// their names and modes, and the checks that span the tree (the same address twice) or the
// worker (a readiness fd among the listening sockets' numbers).
#include <arpa/inet.h>
#include <fmt/format.h>
#include <net/if.h>
#include <netinet/in.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "config/internal.h"
#include "config/listen.h"

namespace arbor::config {
namespace {

constexpr std::size_t kMaxListen = 256;      // far beyond any real service; keeps fd numbers sane
constexpr std::size_t kMaxSocketPath = 107;  // sizeof(sockaddr_un::sun_path) - 1
constexpr std::size_t kMaxName = 255;        // systemd's limit for a LISTEN_FDNAMES entry

bool all_digits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

bool is_wildcard(const Listen& l) {
  const std::size_t n = l.ipv6 ? 16 : 4;
  return std::all_of(l.ip.begin(), l.ip.begin() + static_cast<std::ptrdiff_t>(n),
                     [](std::uint8_t b) { return b == 0; });
}

// "/run//app.sock" and "/run/app.sock" are one file.
std::string normalized_path(std::string_view path) {
  std::string out;
  for (const char c : path)
    if (c != '/' || out.empty() || out.back() != '/') out += c;
  return out;
}

// The scope of "[fe80::1%eth0]": an interface index, or a name the machine knows.
std::optional<std::uint32_t> parse_scope(const std::string& scope) {
  if (all_digits(scope) && scope.size() <= 9) {
    std::uint32_t n = 0;
    std::from_chars(scope.data(), scope.data() + scope.size(), n);  // digits only, at most 9: no error
    return n;
  }
  const unsigned index = if_nametoindex(scope.c_str());
  if (index == 0) return std::nullopt;
  return index;
}

}  // namespace

std::optional<Listen> parse_tcp_address(std::string_view text, std::string* why) {
  const auto fail = [&](std::string reason) -> std::optional<Listen> {
    if (why != nullptr) *why = std::move(reason);
    return std::nullopt;
  };
  Listen l;
  l.kind = Listen::Kind::tcp;
  l.address = std::string(text);
  std::string_view host;
  std::string_view port;
  if (text.starts_with('[')) {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) return fail("\"[\" without \"]\"");
    if (close + 1 >= text.size() || text[close + 1] != ':') return fail("no \":PORT\" after \"]\"");
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
    l.ipv6 = true;
  } else {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return fail("no \":PORT\"");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos)
      return fail("an IPv6 address goes in brackets, as in [::1]:8080");
  }
  unsigned number = 0;
  if (all_digits(port) && port.size() <= 5)
    std::from_chars(port.data(), port.data() + port.size(), number);  // digits only, at most 5: no error
  if (number < 1 || number > 65535) return fail("PORT must be a number from 1 to 65535");
  l.port = static_cast<std::uint16_t>(number);
  if (host.empty()) return fail(l.ipv6 ? "no address in the brackets" : "no HOST (0.0.0.0: every address)");
  std::string h(host);
  if (l.ipv6) {
    if (const std::size_t pct = h.find('%'); pct != std::string::npos) {
      const auto scope = parse_scope(h.substr(pct + 1));
      if (!scope) return fail(fmt::format("unknown interface \"{}\"", h.substr(pct + 1)));
      l.scope_id = *scope;
      h.resize(pct);
    }
    in6_addr a{};
    if (inet_pton(AF_INET6, h.c_str(), &a) != 1) return fail("HOST is not an IPv6 address");
    std::memcpy(l.ip.data(), &a, sizeof a);
  } else {
    in_addr a{};
    if (inet_pton(AF_INET, h.c_str(), &a) != 1)
      return fail("HOST is not an IPv4 address (host names are not looked up)");
    std::memcpy(l.ip.data(), &a, sizeof a);
  }
  return l;
}

bool listen_conflict(const Listen& a, const Listen& b) {
  if (a.kind != b.kind) return false;
  if (a.kind == Listen::Kind::unix_socket) return normalized_path(a.address) == normalized_path(b.address);
  if (a.port != b.port) return false;
  if (a.ipv6 == b.ipv6) return (a.ip == b.ip && a.scope_id == b.scope_id) || is_wildcard(a) || is_wildcard(b);
  // Across families only [::] takes the IPv4 addresses too (dual stack, the kernel's default).
  return is_wildcard(a.ipv6 ? a : b);
}

std::string describe(const Listen& l) {
  return fmt::format("{} {}", l.kind == Listen::Kind::tcp ? "tcp" : "unix", l.address);
}

nlohmann::json to_json(const Listen& l) {
  nlohmann::json j = nlohmann::json::object();
  if (l.kind == Listen::Kind::tcp) {
    j["tcp"] = l.address;
  } else {
    j["unix"] = l.address;
    j["mode"] = fmt::format("{:04o}", l.mode);
  }
  if (!l.name.empty()) j["name"] = l.name;
  return j;
}

namespace detail {
namespace {

std::optional<mode_t> read_mode(const Json& v, const std::string& ptr, Ctx& ctx) {
  if (const auto mode = octal_mode(v)) return mode;
  ctx.error(ptr, fmt::format("expected an octal string from \"0000\" to \"0777\" like \"0660\", found {}",
                             describe(v)));
  return std::nullopt;
}

// systemd's rule for a file descriptor name: what LISTEN_FDNAMES (":"-separated) can carry.
std::optional<std::string> read_name(const Json& v, const std::string& ptr, Ctx& ctx) {
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (!s.empty() && s.size() <= kMaxName &&
        std::all_of(s.begin(), s.end(), [](char c) { return c >= ' ' && c <= '~' && c != ':'; }))
      return s;
  }
  ctx.error(ptr, fmt::format("expected 1 to {} printable ASCII characters without \":\", found {}", kMaxName,
                             describe(v)));
  return std::nullopt;
}

// {"tcp": "HOST:PORT"}'s address, or nullopt after an error at `ptr`.
std::optional<Listen> read_tcp(const Json& value, const std::string& ptr, Ctx& ctx) {
  const auto text = read_string(value, ptr, ctx, true);
  if (!text) return std::nullopt;
  std::string why;
  auto l = parse_tcp_address(*text, &why);
  if (!l)
    ctx.error(ptr, fmt::format("expected \"HOST:PORT\" (HOST an IPv4 address, or an IPv6 address in "
                               "brackets as in [::1]:8080), found {}: {}",
                               quote(*text), why));
  return l;
}

std::optional<Listen> parse_entry(const Json& v, const std::string& ptr, std::string& address_ptr, Ctx& ctx) {
  if (!expect_object(v, ptr, ctx)) return std::nullopt;
  const std::size_t errors_before = ctx.errors.size();
  std::optional<Listen> l;
  int kinds = 0;
  std::optional<mode_t> mode;
  std::string mode_ptr;
  std::optional<std::string> name;
  for_each_member(v, ptr, ctx, [&](const std::string& key, const Json& value, const std::string& key_ptr) {
    if (key == "tcp") {
      ++kinds;
      address_ptr = key_ptr;
      l = read_tcp(value, key_ptr, ctx);
    } else if (key == "unix") {
      ++kinds;
      address_ptr = key_ptr;
      auto path = read_absolute_path(value, key_ptr, ctx);
      if (path && path->size() > kMaxSocketPath) {
        ctx.error(key_ptr,
                  fmt::format("expected at most {} bytes (the limit of a Unix socket path), found {} bytes",
                              kMaxSocketPath, path->size()));
      } else if (path) {
        l = Listen{};
        l->kind = Listen::Kind::unix_socket;
        l->address = std::move(*path);
      }
    } else if (key == "mode") {
      mode_ptr = key_ptr;
      mode = read_mode(value, key_ptr, ctx);
    } else if (key == "name") {
      name = read_name(value, key_ptr, ctx);
    } else {
      ctx.error(key_ptr, "unknown key");
    }
  });
  if (kinds != 1) {
    ctx.error(ptr, "expected exactly one of \"tcp\" and \"unix\"");
    return std::nullopt;
  }
  if (!mode_ptr.empty() && l && l->kind == Listen::Kind::tcp)
    ctx.error(mode_ptr, "only for a \"unix\" socket");
  if (ctx.errors.size() != errors_before || !l) return std::nullopt;
  if (mode) l->mode = *mode;
  if (name) l->name = std::move(*name);
  return l;
}

// One address may be bound once per arbord: two workers cannot share it, and neither can
// two entries of one worker.
void check_conflicts(const Listen& l, const std::string& ptr, Ctx& ctx) {
  const std::string bucket =
      l.kind == Listen::Kind::tcp ? fmt::format("tcp {}", l.port) : "unix " + normalized_path(l.address);
  auto& seen = ctx.listen_seen[bucket];
  for (const auto& [other, other_ptr] : seen) {
    if (!listen_conflict(l, other)) continue;
    if (l.kind == Listen::Kind::unix_socket || (l.ip == other.ip && l.ipv6 == other.ipv6))
      ctx.error(ptr, fmt::format("duplicate address {} (first at {})", quote(l.address), other_ptr));
    else
      ctx.error(ptr, fmt::format("{} overlaps {} at {} (a wildcard address takes the port on every address)",
                                 quote(l.address), quote(other.address), other_ptr));
    return;
  }
  seen.emplace_back(l, ptr);
}

// The sockets are fds 3 ... 2 + count in the worker: a readiness fd there would replace one.
void check_ready_fd(const Json& obj, const std::string& listen_ptr, std::size_t count, Ctx& ctx) {
  const Json* ready = find_key(obj, "ready");
  const Json* fd = ready != nullptr && ready->is_object() ? find_key(*ready, "fd") : nullptr;
  if (fd == nullptr || !fd->is_number_integer()) return;
  const auto n = fd->get<std::int64_t>();
  if (n < 3 || n >= 3 + static_cast<std::int64_t>(count)) return;
  const std::string child_ptr = listen_ptr.substr(0, listen_ptr.rfind('/'));
  ctx.error(
      join(join(child_ptr, "ready"), "fd"),
      fmt::format("fd {} is taken by a listening socket (\"listen\" passes fds 3 to {}); use {} or above", n,
                  2 + count, 3 + count));
}

}  // namespace

void parse_listen(const Json& v, const std::string& ptr, const Json& obj, WorkerSpec& w, Ctx& ctx) {
  if (!v.is_array()) {
    ctx.error(ptr,
              fmt::format("expected an array of {{\"tcp\": \"HOST:PORT\"}} and {{\"unix\": PATH}} objects, "
                          "found {}",
                          describe(v)));
    return;
  }
  if (v.size() > kMaxListen) {
    ctx.error(ptr, fmt::format("expected at most {} sockets, found {}", kMaxListen, v.size()));
    return;
  }
  std::vector<Listen> sockets;
  for (std::size_t i = 0; i < v.size(); ++i) {
    std::string address_ptr;
    auto l = parse_entry(v[i], join(ptr, i), address_ptr, ctx);
    if (!l) continue;
    check_conflicts(*l, address_ptr, ctx);
    sockets.push_back(std::move(*l));
  }
  if (sockets.size() != v.size()) return;
  check_ready_fd(obj, ptr, sockets.size(), ctx);
  w.listen = std::move(sockets);
}

void parse_metrics(const Json& v, const std::string& ptr, MetricsSpec& metrics, Ctx& ctx) {
  if (!expect_object(v, ptr, ctx)) return;
  for_each_member(v, ptr, ctx, [&](const std::string& key, const Json& value, const std::string& key_ptr) {
    if (key != "listen") return ctx.error(key_ptr, "unknown key");
    auto l = read_tcp(value, key_ptr, ctx);
    if (!l) return;
    // arbord binds it itself: a worker's listening socket on the same address is a conflict.
    check_conflicts(*l, key_ptr, ctx);
    metrics.listen = std::move(l);
  });
}

}  // namespace detail
}  // namespace arbor::config
