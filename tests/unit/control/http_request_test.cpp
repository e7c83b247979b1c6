// The HTTP/1.1 head that GET /metrics reads (daemon/control/http_request.h): complete,
// incomplete, malformed and oversized heads, the routing and the response bytes.
#include <gtest/gtest.h>

#include <string>

#include "daemon/control/http_request.h"

namespace arbor::control {
namespace {

using Status = HttpRequestHead::Status;

TEST(HttpRequest, APrometheusScrapeIsComplete) {
  const auto head = parse_http_head(
      "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:9100\r\nUser-Agent: Prometheus/2.42.0\r\n"
      "Accept: application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5\r\n"
      "X-Prometheus-Scrape-Timeout-Seconds: 1\r\n\r\n");
  ASSERT_EQ(head.status, Status::complete) << head.why;
  EXPECT_EQ(head.method, "GET");
  EXPECT_EQ(head.target, "/metrics");
  EXPECT_EQ(http_status_for(head), 200);
}

TEST(HttpRequest, BareLineFeedsAndHttp10AndNoHeaders) {
  const auto head = parse_http_head("GET /metrics?x=1 HTTP/1.0\n\n");
  ASSERT_EQ(head.status, Status::complete);
  EXPECT_EQ(http_status_for(head), 200);
}

TEST(HttpRequest, IncompleteUntilTheBlankLine) {
  for (const char* partial :
       {"", "GET", "GET /metrics HTTP/1.1", "GET /metrics HTTP/1.1\r\n",
        "GET /metrics HTTP/1.1\r\nHost: x\r\n", "GET /metrics HTTP/1.1\r\nHost: x\r\n\r"}) {
    EXPECT_EQ(parse_http_head(partial).status, Status::incomplete) << partial;
  }
}

TEST(HttpRequest, MalformedRequestLinesAreSeenAtOnce) {
  for (const char* bad :
       {"\r\n", "GET\r\n", "GET /metrics\r\n", "GET  /metrics HTTP/1.1\r\n", "GET /metrics HTTP/1.1 x\r\n",
        "GET /metrics HTTP/2\r\n", "GET /metrics http/1.1\r\n", "G(T /metrics HTTP/1.1\r\n",
        "GET /met\x01rics HTTP/1.1\r\n", "GET /metrics HTTP/1.1\r\r\n", "\x16\x03\x01\x02\x01\n"}) {
    const auto head = parse_http_head(bad);
    EXPECT_EQ(head.status, Status::malformed) << bad;
    EXPECT_FALSE(head.why.empty());
  }
}

TEST(HttpRequest, MalformedHeaders) {
  for (const char* bad :
       {"GET /metrics HTTP/1.1\r\nno colon\r\n\r\n", "GET /metrics HTTP/1.1\r\n: x\r\n\r\n",
        "GET /metrics HTTP/1.1\r\n folded: x\r\n\r\n", "GET /metrics HTTP/1.1\r\nBad Name: x\r\n\r\n",
        "GET /metrics HTTP/1.1\r\nX: a\x01z\r\n\r\n"}) {
    EXPECT_EQ(parse_http_head(bad).status, Status::malformed) << bad;
  }
}

TEST(HttpRequest, AHeadOverTheLimitIsTooLarge) {
  std::string head = "GET /metrics HTTP/1.1\r\n";
  while (head.size() < kMaxHttpHead) head += "X-Filler: 0123456789abcdef\r\n";
  EXPECT_EQ(parse_http_head(head).status, Status::too_large);
  EXPECT_EQ(parse_http_head(std::string(kMaxHttpHead, 'G')).status, Status::too_large);
  EXPECT_EQ(parse_http_head(std::string(kMaxHttpHead - 1, 'G')).status, Status::incomplete);
  // A head that ends within the limit is whole, whatever follows it.
  EXPECT_EQ(parse_http_head("GET /metrics HTTP/1.1\r\n\r\n" + std::string(kMaxHttpHead, 'x')).status,
            Status::complete);
}

TEST(HttpRequest, RoutingOtherPathsAndMethods) {
  const auto status_of = [](const char* text) { return http_status_for(parse_http_head(text)); };
  EXPECT_EQ(status_of("GET / HTTP/1.1\r\n\r\n"), 404);
  EXPECT_EQ(status_of("GET /metricsx HTTP/1.1\r\n\r\n"), 404);
  EXPECT_EQ(status_of("GET /metrics/ HTTP/1.1\r\n\r\n"), 404);
  EXPECT_EQ(status_of("POST /metrics HTTP/1.1\r\nContent-Length: 3\r\n\r\n"), 405);
  EXPECT_EQ(status_of("HEAD /metrics HTTP/1.1\r\n\r\n"), 405);
  EXPECT_EQ(status_of("DELETE /x HTTP/1.1\r\n\r\n"), 404);
}

TEST(HttpRequest, ResponsesCloseAndSayTheirLength) {
  EXPECT_EQ(http_response(200, "text/plain; version=0.0.4", "a 1\n"),
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: 4\r\n"
            "Connection: close\r\n\r\na 1\n");
  const std::string refused = http_response(405, "text/plain", "");
  EXPECT_NE(refused.find("HTTP/1.1 405 Method Not Allowed\r\n"), std::string::npos);
  EXPECT_NE(refused.find("\r\nAllow: GET\r\n"), std::string::npos);
}

}  // namespace
}  // namespace arbor::control
