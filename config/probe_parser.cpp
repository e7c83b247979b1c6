// Probes and the keys that use them (docs/CONFIG.md "Probes"): `ready` (also its notify and
// fd forms), `health` and `watchdog`.
//
// Probe addresses are IP literals (or `localhost`): a name would need the resolver, which
// blocks (getaddrinfo) or runs on libuv's thread pool, and arbord's loop has neither.
#include <arpa/inet.h>

#include <fmt/format.h>

#include <array>
#include <charconv>

#include "config/internal.h"

namespace arbor::config::detail {
namespace {

constexpr std::array<std::string_view, 3> kForms{"tcp", "http", "exec"};

bool is_form(std::string_view key) {
  for (std::string_view f : kForms)
    if (f == key) return true;
  return false;
}

// "127.0.0.1", "[::1]" or "localhost" -> the address probes connect to (no brackets).
std::optional<std::string> parse_ip(std::string_view host) {
  if (host == "localhost") return std::string("127.0.0.1");
  unsigned char buf[16];
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    const std::string inner(host.substr(1, host.size() - 2));
    if (inet_pton(AF_INET6, inner.c_str(), buf) == 1) return inner;
    return std::nullopt;
  }
  const std::string h(host);
  if (inet_pton(AF_INET, h.c_str(), buf) == 1) return h;
  return std::nullopt;
}

std::optional<int> parse_port(std::string_view text) {
  int port = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (ec != std::errc() || end != text.data() + text.size() || port < 1 || port > 65535) return std::nullopt;
  return port;
}

// "HOST:PORT" (the last colon splits, so "[::1]:80" works).
bool parse_host_port(std::string_view text, Probe& p) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return false;
  auto host = parse_ip(text.substr(0, colon));
  auto port = parse_port(text.substr(colon + 1));
  if (!host || !port) return false;
  p.host = std::move(*host);
  p.port = *port;
  return true;
}

void parse_tcp(const Json& v, const std::string& ptr, Probe& p, Ctx& ctx) {
  if (v.is_string() && parse_host_port(v.get_ref<const std::string&>(), p)) {
    p.kind = Probe::Kind::tcp;
    p.text = v.get<std::string>();
    return;
  }
  ctx.error(ptr, fmt::format("expected \"HOST:PORT\" (HOST an IP address or localhost, PORT from 1 to "
                             "65535), found {}",
                             describe(v)));
}

void parse_http(const Json& v, const std::string& ptr, Probe& p, Ctx& ctx) {
  constexpr std::string_view scheme = "http://";
  bool ok = v.is_string();
  if (ok) {
    const std::string_view url = v.get_ref<const std::string&>();
    ok = url.starts_with(scheme);
    if (ok) {
      const std::string_view rest = url.substr(scheme.size());
      const std::size_t slash = rest.find('/');
      const std::string_view authority = rest.substr(0, slash);
      ok = parse_host_port(authority, p) && url.find_first_of(" \r\n\t") == std::string_view::npos;
      p.path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
    }
  }
  if (ok) {
    p.kind = Probe::Kind::http;
    p.text = v.get<std::string>();
    return;
  }
  ctx.error(ptr, fmt::format("expected \"http://HOST:PORT/PATH\" (HOST an IP address or localhost; only "
                             "http), found {}",
                             describe(v)));
}

void parse_exec(const Json& v, const std::string& ptr, Probe& p, Ctx& ctx) {
  auto argv = read_argv(v, ptr, ctx);
  if (!argv) return;
  p.kind = Probe::Kind::exec;
  p.command = std::move(*argv);
}

void parse_form(const std::string& key, const Json& v, const std::string& ptr, Probe& p, Ctx& ctx) {
  if (key == "tcp")
    parse_tcp(v, ptr, p, ctx);
  else if (key == "http")
    parse_http(v, ptr, p, ctx);
  else
    parse_exec(v, ptr, p, ctx);
}

std::optional<std::int64_t> read_ms(const Json& v, const std::string& ptr, Ctx& ctx, std::int64_t min = 1) {
  return read_int(v, ptr, {min, kMaxMillis, false}, ctx);
}

}  // namespace

void parse_ready(const Json& v, const std::string& ptr, WorkerSpec& w, Ctx& ctx) {
  if (!expect_object(v, ptr, ctx)) return;
  Ready ready;
  int modes = 0;
  bool bad = false;
  std::optional<std::string> interval_ptr;
  for_each_member(v, ptr, ctx, [&](const std::string& key, const Json& value, const std::string& key_ptr) {
    const std::size_t errors = ctx.errors.size();
    if (key == "notify") {
      ++modes;
      if (value != true)
        ctx.error(key_ptr, fmt::format("expected true, found {}", describe(value)));
      else
        ready.kind = Ready::Kind::notify;
    } else if (key == "fd") {
      ++modes;
      // 0-2 are stdin/stdout/stderr; 1023 keeps the fd inside select()'s reach.
      if (const auto fd = read_int(value, key_ptr, {3, 1023, true}, ctx)) {
        ready.kind = Ready::Kind::fd;
        ready.fd = static_cast<int>(*fd);
      }
    } else if (is_form(key)) {
      ++modes;
      parse_form(key, value, key_ptr, *ready.probe, ctx);
      ready.kind = Ready::Kind::probe;
    } else if (key == "timeout") {
      if (const auto ms = read_ms(value, key_ptr, ctx)) ready.timeout_ms = *ms;
    } else if (key == "interval") {
      interval_ptr = key_ptr;
      if (const auto ms = read_ms(value, key_ptr, ctx)) ready.interval_ms = *ms;
    } else {
      ctx.error(key_ptr, "unknown key");
    }
    bad = bad || ctx.errors.size() != errors;
  });
  if (modes != 1) {
    ctx.error(ptr, "expected exactly one of \"notify\", \"fd\", \"tcp\", \"http\" and \"exec\"");
  } else if (interval_ptr && ready.kind != Ready::Kind::probe) {
    ctx.error(*interval_ptr, "only with a probe (\"tcp\", \"http\" or \"exec\")");
  } else if (!bad) {
    w.ready = ready;
  }
}

void parse_health(const Json& v, const std::string& ptr, WorkerSpec& w, Ctx& ctx) {
  if (!expect_object(v, ptr, ctx)) return;
  Health health;
  int forms = 0;
  bool bad = false;
  for_each_member(v, ptr, ctx, [&](const std::string& key, const Json& value, const std::string& key_ptr) {
    const std::size_t errors = ctx.errors.size();
    if (is_form(key)) {
      ++forms;
      parse_form(key, value, key_ptr, health.probe, ctx);
    } else if (key == "interval") {
      if (const auto ms = read_ms(value, key_ptr, ctx)) health.interval_ms = *ms;
    } else if (key == "timeout") {
      if (const auto ms = read_ms(value, key_ptr, ctx)) health.timeout_ms = *ms;
    } else if (key == "start_period") {
      if (const auto ms = read_ms(value, key_ptr, ctx, 0)) health.start_period_ms = *ms;
    } else if (key == "failures") {
      if (const auto n = read_int(value, key_ptr, {1, 1000000, false}, ctx))
        health.failures = static_cast<int>(*n);
    } else {
      ctx.error(key_ptr, "unknown key");
    }
    bad = bad || ctx.errors.size() != errors;
  });
  if (forms != 1)
    ctx.error(ptr, "expected exactly one of \"tcp\", \"http\" and \"exec\"");
  else if (!bad)
    w.health = health;
}

void parse_watchdog(const Json& v, const std::string& ptr, WorkerSpec& w, Ctx& ctx) {
  if (const auto ms = read_ms(v, ptr, ctx)) w.watchdog_ms = *ms;
}

}  // namespace arbor::config::detail
