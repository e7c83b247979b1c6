// arborctl: one request to arbord, its reply printed as a table or as JSON (SPEC §5).
#include <cstdio>
#include <string>

#include "ctl/cli.h"
#include "ctl/client.h"
#include "ctl/render.h"
#include "ctl/table.h"
#include "daemon/protocol/wire.h"

namespace {

using arbor::ctl::Invocation;
using nlohmann::json;

int unreachable(const Invocation& inv, const std::string& reason) {
  std::fprintf(stderr, "arborctl: cannot connect to %s: %s\n", inv.socket.c_str(), reason.c_str());
  return arbor::ctl::exit_unreachable;
}

void print(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

int run(const Invocation& inv) {
  arbor::ctl::Client client;
  if (std::string e = client.connect(inv.socket); !e.empty()) return unreachable(inv, e);
  // A failed send is not the end: arbord may have refused us (forbidden) and closed
  // before our request went out, and that reply is waiting to be read.
  const std::string send_error = client.send(arbor::protocol::make_request(1, inv.cmd, inv.args));
  std::string error;
  auto line = client.read_line(error);
  if (!line) {
    if (!send_error.empty()) return unreachable(inv, send_error);
    return unreachable(inv, error.empty() ? "arbord closed the connection without replying" : error);
  }
  arbor::protocol::Reply reply;
  try {
    reply = arbor::protocol::parse_reply(*line);
  } catch (const std::exception& e) {
    return unreachable(inv, e.what());
  }
  if (!reply.ok) {
    std::fprintf(stderr, "arborctl: %s: %s\n", reply.error_code.c_str(), reply.error_message.c_str());
    return arbor::ctl::exit_refused;
  }

  const bool colour = !inv.json && arbor::ctl::colour_wanted();
  if (inv.json) {
    json out = reply.result;
    if (inv.cmd == "version") out = {{"arborctl", ARBOR_VERSION}, {"arbord", out.value("arbord", json())},
                                     {"protocol", out.value("protocol", json())}};
    if (inv.cmd == "logs") {
      // One {"path","line"} object per line, the backlog like the lines that follow.
      for (const json& l : out.value("lines", json::array())) {
        print(arbor::protocol::encode_line({{"path", out.value("path", json())}, {"line", l}}));
      }
    } else if (!inv.stream) {
      print(out.dump(2) + "\n");
    }
  } else {
    print(arbor::ctl::render_result(inv, reply.result, colour));
  }

  if (inv.stream || inv.until_eof) {
    while (auto next = client.read_line(error)) {
      if (!inv.stream) continue;
      if (inv.json) {
        print(*next + "\n");
        continue;
      }
      json parsed = json::parse(*next, nullptr, false);
      if (!parsed.is_discarded()) print(arbor::ctl::render_stream_line(inv, parsed));
    }
  }
  return arbor::ctl::exit_ok;
}

}  // namespace

int main(int argc, char** argv) {
  int exit_code = 0;
  auto inv = arbor::ctl::parse_cli(argc, argv, exit_code);
  if (!inv) return exit_code;
  return run(*inv);
}
