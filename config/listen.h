// Listening sockets of workers (docs/CONFIG.md "listen"): the address syntax, the rule for
// two entries that cannot both be bound, and their JSON. The parsing of the key itself is
// in listen_parser.cpp; the sockets are opened by daemon/host/listen_sockets.*.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "config/tree_spec.h"

namespace arbor::config {

// "127.0.0.1:8080", "0.0.0.0:80", "[::1]:8080", "[::]:80", "[fe80::1%eth0]:80" -> a tcp Listen
// with ip, port and scope_id filled in and address = text. HOST must be a numeric address
// (names are not looked up: a name can resolve to several addresses, or change), PORT 1 to
// 65535. On failure returns nullopt and, when `why` is given, says what is wrong with it.
std::optional<Listen> parse_tcp_address(std::string_view text, std::string* why = nullptr);

// True when `a` and `b` cannot both be bound by one arbord: the same unix path, or TCP on the
// same port with the same address, or where one is a wildcard (0.0.0.0 takes every IPv4
// address of the port; [::] every address, since IPV6_V6ONLY is left at the kernel's default).
bool listen_conflict(const Listen& a, const Listen& b);

// "tcp 127.0.0.1:8080", "unix /run/app.sock": how arbord names the socket in messages.
std::string describe(const Listen& l);

// {"tcp": "HOST:PORT"} or {"unix": PATH, "mode": "0660"}, with "name" when one was given.
nlohmann::json to_json(const Listen& l);

}  // namespace arbor::config
