// The reexec state's header (reexec_state.h): text lines every version of arbord reads,
// so that a program that does not know the payload's format can still fall back.
#include <charconv>
#include <sstream>

#include <fmt/format.h>

#include "daemon/app/reexec_state.h"

namespace arbor::app {

using nlohmann::json;

namespace {

template <typename T>
std::string joined(const std::vector<T>& values) {
  std::string out;
  for (const auto& v : values) out += " " + std::to_string(v);
  return out;
}

template <typename T>
bool numbers(std::string_view line, std::string_view tag, std::vector<T>& out) {
  if (!line.starts_with(tag)) return false;
  std::istringstream in{std::string(line.substr(tag.size()))};
  for (long long v = 0; in >> v;) out.push_back(static_cast<T>(v));
  return in.eof();
}

}  // namespace

std::string encode_header(const ReexecHeader& h) {
  return fmt::format("ARBORD-STATE {}\nfds{}\ngroups{}\nclient {} {}\n\n", h.version, joined(h.fds),
                     joined(h.groups), h.client_fd, h.request_id.dump());
}

bool decode_header(std::string_view bytes, ReexecHeader& header, std::string& why) {
  std::vector<std::string_view> lines;
  std::size_t at = 0;
  while (lines.size() < 5) {
    const std::size_t nl = bytes.find('\n', at);
    if (nl == std::string_view::npos) break;
    lines.push_back(bytes.substr(at, nl - at));
    at = nl + 1;
  }
  const auto fail = [&](const char* what) {
    why = std::string("the reexec state's header: ") + what;
    return false;
  };
  if (lines.size() < 5 || !lines[0].starts_with("ARBORD-STATE ") || !lines[4].empty())
    return fail("not an arbord state");
  const std::string_view v = lines[0].substr(13);
  if (std::from_chars(v.data(), v.data() + v.size(), header.version).ec != std::errc{})
    return fail("no version");
  if (!numbers(lines[1], "fds", header.fds) || !numbers(lines[2], "groups", header.groups))
    return fail("bad fds or groups");
  if (!lines[3].starts_with("client ")) return fail("no client");
  const std::string_view client = lines[3].substr(7);
  const std::size_t space = client.find(' ');
  if (space == std::string_view::npos ||
      std::from_chars(client.data(), client.data() + space, header.client_fd).ec != std::errc{})
    return fail("bad client");
  header.request_id = json::parse(client.substr(space + 1), nullptr, false);
  if (header.request_id.is_discarded()) return fail("bad request id");
  return true;
}

}  // namespace arbor::app
