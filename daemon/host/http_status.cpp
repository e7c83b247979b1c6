#include "daemon/host/http_status.h"

namespace arbor::host {

HttpStatus http_status(std::string_view answer) {
  const std::size_t eol = answer.find('\n');
  if (eol == std::string_view::npos) {
    return {answer.size() > kMaxStatusLine ? HttpStatus::Kind::not_http : HttpStatus::Kind::incomplete, 0};
  }
  // "HTTP/1.1 200 OK": the version, a space, three digits.
  const std::string_view line = answer.substr(0, eol);
  if (eol > kMaxStatusLine || line.size() < 12 || !line.starts_with("HTTP/") || line[8] != ' ') {
    return {HttpStatus::Kind::not_http, 0};
  }
  int code = 0;
  for (std::size_t i = 9; i < 12; ++i) {
    if (line[i] < '0' || line[i] > '9') return {HttpStatus::Kind::not_http, 0};
    code = code * 10 + (line[i] - '0');
  }
  if (code < 100) return {HttpStatus::Kind::not_http, 0};
  return {HttpStatus::Kind::code, code};
}

}  // namespace arbor::host
