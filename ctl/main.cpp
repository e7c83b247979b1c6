// arborctl: one request to arbord, its reply printed as a table or as JSON (docs/ARBORCTL.md).
// Every failure is one of the three exceptions of errors.h, caught here.
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "ctl/cli.h"
#include "ctl/client.h"
#include "ctl/table.h"
#include "daemon/protocol/wire.h"

namespace {

using namespace arbor::ctl;
using nlohmann::json;

void print(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

// Why a connect was refused, in words that say what to do: a socket of another user
// (root's arbord, mode 0600) cannot be reached by us at all.
std::string connect_failure(const std::string& socket, const std::string& reason) {
  std::string text = "cannot connect to " + socket + ": " + reason;
  if (reason != std::strerror(EACCES) || ::geteuid() == 0) return text;
  struct stat st {};
  std::string owner = "another user";
  if (::stat(socket.c_str(), &st) == 0 && st.st_uid != ::geteuid()) {
    const passwd* pw = ::getpwuid(st.st_uid);
    owner = pw != nullptr ? std::string(pw->pw_name) : "uid " + std::to_string(st.st_uid);
  }
  return text + "\n  the socket belongs to " + owner + "'s arbord, which only " + owner +
         " may control: run arborctl as " + owner +
         " (sudo arborctl ...), or reach an arbord of your own with " + "--socket PATH or $ARBOR_SOCKET";
}

// Connects and sends one request; throws Unreachable. Returns why the send failed, if
// it did.
std::string open(Client& client, const std::string& socket, const json& request) {
  if (std::string e = client.connect(socket); !e.empty()) throw Unreachable(connect_failure(socket, e));
  // A failed send is not the end: arbord may have refused us (forbidden) and closed
  // before our request went out, and that reply is waiting to be read.
  return client.send(request);
}

// The reply line to the request just sent; throws Unreachable.
std::string read_reply_line(Client& client, const std::string& socket, const std::string& send_error) {
  std::string error;
  auto line = client.read_line(error);
  if (!line) {
    if (!send_error.empty()) error = send_error;
    throw Unreachable("cannot connect to " + socket + ": " +
                      (error.empty() ? "arbord closed the connection without replying" : error));
  }
  return std::move(*line);
}

// The result of a reply line; throws Unreachable or Refused.
json parse_result(const std::string& line, const std::string& socket) {
  arbor::protocol::Reply reply;
  try {
    reply = arbor::protocol::parse_reply(line);
  } catch (const std::exception& e) {
    throw Unreachable("cannot connect to " + socket + ": " + e.what());
  }
  if (!reply.ok) throw Refused(reply.error_code, reply.error_message);
  return std::move(reply.result);
}

json read_reply(Client& client, const std::string& socket, const std::string& send_error) {
  return parse_result(read_reply_line(client, socket, send_error), socket);
}

int run(const Invocation& inv) {
  Client client;
  const std::string sent =
      open(client, inv.socket, arbor::protocol::make_request(1, inv.verb->info().name, inv.args));
  const std::string line = read_reply_line(client, inv.socket, sent);
  // A result read without a DOM (metrics: a few MB of text in one string), when the verb has
  // such a reader and the line is a plain success.
  if (!inv.json && inv.verb->after() == After::nothing) {
    if (auto text = inv.verb->print_reply_line(line)) {
      print(*text);
      return exit_ok;
    }
  }
  // The reply's DOM is left to the process's exit (reachable from `kept`, so no leak is
  // reported): freeing a 5,000-node status one node at a time costs arborctl a fifth of its
  // time. One reply per run: at most one is kept.
  static json* kept = nullptr;
  delete kept;
  kept = new json(parse_result(line, inv.socket));
  const json& result = *kept;

  Output out;
  out.colour = !inv.json && colour_wanted();
  out.ask = [&inv](const json& request) -> std::optional<json> {
    try {
      Client more;
      const std::string sent = open(more, inv.socket, request);
      return read_reply(more, inv.socket, sent);
    } catch (const std::exception&) {
      return std::nullopt;
    }
  };
  print(inv.json ? inv.verb->print_json(result) : inv.verb->print(result, out));

  const After after = inv.verb->after();
  if (after == After::nothing) return inv.verb->exit_status(result);
  std::string error;
  while (auto next = client.read_line(error)) {
    if (after != After::stream) continue;
    if (inv.json) {
      print(*next + "\n");
      continue;
    }
    json parsed = json::parse(*next, nullptr, false);
    if (!parsed.is_discarded()) print(inv.verb->print_line(parsed));
  }
  return exit_ok;
}

int fail(bool as_json, std::string_view code, const std::string& message, int status) {
  if (as_json) {
    print(json{{"error", {{"code", code}, {"message", message}}}}.dump(2) + "\n");
  } else if (status == exit_refused) {
    std::fprintf(stderr, "arborctl: %.*s: %s\n", static_cast<int>(code.size()), code.data(), message.c_str());
  } else if (status == exit_usage) {
    std::fprintf(stderr, "arborctl: %s\nRun with --help for more information.\n", message.c_str());
  } else {
    std::fprintf(stderr, "arborctl: %s\n", message.c_str());
  }
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  const bool as_json = wants_json(argc, argv);
  try {
    auto inv = parse_cli(argc, argv);
    if (!inv) return exit_ok;
    return run(*inv);
  } catch (const UsageError& e) {
    return fail(as_json, "usage", e.what(), exit_usage);
  } catch (const Unreachable& e) {
    return fail(as_json, "unreachable", e.what(), exit_unreachable);
  } catch (const Refused& e) {
    return fail(as_json, e.code(), e.what(), exit_refused);
  } catch (const std::exception& e) {
    return fail(as_json, "unreachable", e.what(), exit_unreachable);
  }
}
