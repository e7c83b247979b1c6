// The top-level "metrics" key (docs/CONFIG.md): off by default, "listen" read by the same
// address parser as a worker's "listen", its errors, and a conflict with a worker's socket.
#include <gtest/gtest.h>

#include "test_util.h"

namespace arbor::config::test {
namespace {

const char* const kTree = R"("root": {"children": [{"id": "a", "command": ["/bin/sh"]}]})";

std::vector<std::string> metrics_errors(const std::string& metrics) {
  return errors_of("{" + std::string(kTree) + R"(, "metrics": )" + metrics + "}");
}

TEST(MetricsConfig, OffByDefault) {
  const LoadResult r = load_text("{" + std::string(kTree) + "}", options());
  ASSERT_TRUE(r.tree);
  EXPECT_FALSE(r.tree->metrics.listen);
}

TEST(MetricsConfig, ListenIsAParsedTcpAddress) {
  const LoadResult r =
      load_text("{" + std::string(kTree) + R"(, "metrics": {"listen": "[::1]:9100"}})", options());
  ASSERT_TRUE(r.tree) << ::testing::PrintToString(texts(r.errors));
  ASSERT_TRUE(r.tree->metrics.listen);
  EXPECT_EQ(r.tree->metrics.listen->address, "[::1]:9100");
  EXPECT_TRUE(r.tree->metrics.listen->ipv6);
  EXPECT_EQ(r.tree->metrics.listen->port, 9100);
  const LoadResult none = load_text("{" + std::string(kTree) + R"(, "metrics": {}})", options());
  ASSERT_TRUE(none.tree);
  EXPECT_FALSE(none.tree->metrics.listen);
}

TEST(MetricsConfig, Errors) {
  EXPECT_EQ(metrics_errors(R"("127.0.0.1:9100")"),
            std::vector<std::string>{"/metrics: expected an object, found \"127.0.0.1:9100\""});
  EXPECT_EQ(metrics_errors(R"({"listen": "localhost:9100"})"),
            std::vector<std::string>{
                "/metrics/listen: expected \"HOST:PORT\" (HOST an IPv4 address, or an IPv6 address in "
                "brackets as in [::1]:8080), found \"localhost:9100\": HOST is not an IPv4 address (host "
                "names are not looked up)"});
  EXPECT_EQ(metrics_errors(R"({"listen": "127.0.0.1:0"})"),
            std::vector<std::string>{
                "/metrics/listen: expected \"HOST:PORT\" (HOST an IPv4 address, or an IPv6 address in "
                "brackets as in [::1]:8080), found \"127.0.0.1:0\": PORT must be a number from 1 to 65535"});
  EXPECT_EQ(metrics_errors(R"({"listen": 9100})"),
            std::vector<std::string>{"/metrics/listen: expected a non-empty string, found 9100"});
  EXPECT_EQ(metrics_errors(R"({"listen": "127.0.0.1:9100", "path": "/m"})"),
            std::vector<std::string>{"/metrics/path: unknown key"});
}

TEST(MetricsConfig, AWorkersSocketOnTheSameAddressIsAConflict) {
  EXPECT_EQ(
      errors_of(R"({"metrics": {"listen": "0.0.0.0:9100"}, "root": {"children": [
                {"id": "a", "command": ["/bin/sh"], "listen": [{"tcp": "127.0.0.1:9100"}]}]}})"),
      std::vector<std::string>{"/root/children/0/listen/0/tcp: \"127.0.0.1:9100\" overlaps \"0.0.0.0:9100\" "
                               "at /metrics/listen (a wildcard address takes the port on every address)"});
  EXPECT_EQ(
      errors_of(R"({"root": {"children": [
                {"id": "a", "command": ["/bin/sh"], "listen": [{"tcp": "127.0.0.1:9100"}]}]},
                "metrics": {"listen": "127.0.0.1:9100"}})"),
      std::vector<std::string>{
          "/metrics/listen: duplicate address \"127.0.0.1:9100\" (first at /root/children/0/listen/0/tcp)"});
}

}  // namespace
}  // namespace arbor::config::test
