// The status line of an http probe's answer (daemon/host/http_status.h).
#include "daemon/host/http_status.h"

#include <string>

#include <gtest/gtest.h>

namespace arbor::host {
namespace {

using Kind = HttpStatus::Kind;

TEST(HttpStatus, ReadsTheCodeOfAStatusLine) {
  for (const char* answer :
       {"HTTP/1.1 200 OK\r\n", "HTTP/1.0 204\n", "HTTP/1.1 503 Service Unavailable\r\nX: y"}) {
    const HttpStatus s = http_status(answer);
    EXPECT_EQ(s.kind, Kind::code) << answer;
  }
  EXPECT_EQ(http_status("HTTP/1.1 302 Found\r\n").code, 302);
  EXPECT_EQ(http_status("HTTP/1.1 999 ?\n").code, 999);
}

TEST(HttpStatus, ReadsOnUntilTheFirstLineEnds) {
  EXPECT_EQ(http_status("").kind, Kind::incomplete);
  EXPECT_EQ(http_status("HTTP/1.1 20").kind, Kind::incomplete);
  EXPECT_EQ(http_status(std::string(kMaxStatusLine, 'x')).kind, Kind::incomplete);
  EXPECT_EQ(http_status(std::string(kMaxStatusLine + 1, 'x')).kind, Kind::not_http);
}

TEST(HttpStatus, AnythingElseIsNotHttp) {
  for (const char* answer : {"SSH-2.0-OpenSSH_9.2\r\n", "HTTP/1.1 2OO OK\r\n", "HTTP/1.1  200 OK\n",
                             "HTTP/1.1 099 low\n", "HTTP/1.1 20\n", "http/1.1 200 OK\n", "\n"}) {
    EXPECT_EQ(http_status(answer).kind, Kind::not_http) << answer;
  }
  // A status line that ends past the limit.
  EXPECT_EQ(http_status("HTTP/1.1 200 " + std::string(kMaxStatusLine, 'x') + "\n").kind, Kind::not_http);
}

}  // namespace
}  // namespace arbor::host
