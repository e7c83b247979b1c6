#include "daemon/control/http_request.h"

#include <fmt/format.h>

namespace arbor::control {

namespace {

using Status = HttpRequestHead::Status;

// RFC 9110's tchar: what a method and a header name are made of.
bool is_tchar(char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s)
    if (!is_tchar(c)) return false;
  return true;
}

// A request target: visible ASCII, no space.
bool is_target(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s)
    if (c <= ' ' || c >= 0x7f) return false;
  return true;
}

// One line without its CRLF (or LF); false when it holds a CR elsewhere.
bool strip_line_end(std::string_view& line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line.find('\r') == std::string_view::npos;
}

HttpRequestHead fail(Status status, std::string why) {
  HttpRequestHead head;
  head.status = status;
  head.why = std::move(why);
  return head;
}

HttpRequestHead parse_request_line(std::string_view line) {
  if (!strip_line_end(line)) return fail(Status::malformed, "a CR inside the request line");
  const std::size_t sp1 = line.find(' ');
  const std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos)
    return fail(Status::malformed, "the request line is not METHOD TARGET VERSION");
  const std::string_view method = line.substr(0, sp1);
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  if (!is_token(method)) return fail(Status::malformed, "a bad method");
  if (!is_target(target)) return fail(Status::malformed, "a bad request target");
  if (version != "HTTP/1.1" && version != "HTTP/1.0")
    return fail(Status::malformed, "not HTTP/1.0 or HTTP/1.1");
  HttpRequestHead head;
  head.method = std::string(method);
  head.target = std::string(target);
  return head;
}

// "Name: value" (no line folding: a line starting with a space is refused, as RFC 9112 allows).
bool is_header_line(std::string_view line) {
  if (!strip_line_end(line)) return false;
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos || !is_token(line.substr(0, colon))) return false;
  for (const char c : line.substr(colon + 1))
    if ((c < ' ' && c != '\t') || c == 0x7f) return false;
  return true;
}

}  // namespace

HttpRequestHead parse_http_head(std::string_view received, std::size_t max_bytes) {
  const std::string_view window = received.substr(0, std::min(received.size(), max_bytes));
  std::size_t end = window.find('\n');
  if (end == std::string_view::npos) {
    if (received.size() >= max_bytes) return fail(Status::too_large, "a request line over the limit");
    return {};
  }
  HttpRequestHead head = parse_request_line(window.substr(0, end));
  if (head.status == Status::malformed) return head;
  for (std::size_t start = end + 1;;) {
    end = window.find('\n', start);
    if (end == std::string_view::npos) {
      if (received.size() >= max_bytes) return fail(Status::too_large, "request headers over the limit");
      return {};  // incomplete
    }
    std::string_view line = window.substr(start, end - start);
    if (line.empty() || line == "\r") {
      head.status = Status::complete;
      return head;
    }
    if (!is_header_line(line)) return fail(Status::malformed, "a malformed header line");
    start = end + 1;
  }
}

int http_status_for(const HttpRequestHead& head) {
  const std::string_view target = head.target;
  const std::string_view path = target.substr(0, target.find('?'));
  if (path != "/metrics") return 404;
  return head.method == "GET" ? 200 : 405;
}

std::string_view http_reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 431:
      return "Request Header Fields Too Large";
    case 503:
      return "Service Unavailable";
    default:
      return "Error";
  }
}

std::string http_response(int status, std::string_view content_type, std::string_view body) {
  std::string out = fmt::format("HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n", status,
                                http_reason(status), content_type, body.size());
  if (status == 405) out += "Allow: GET\r\n";
  out += "Connection: close\r\n\r\n";
  out += body;
  return out;
}

}  // namespace arbor::control
