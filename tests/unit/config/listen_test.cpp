// The "listen" key: the HOST:PORT syntax, the entries, their defaults and errors, the
// tree-wide conflict check, and the JSON written back.
#include <gtest/gtest.h>

#include "config/listen.h"
#include "test_util.h"

namespace arbor::config::test {
namespace {

std::string why_not(std::string_view text) {
  std::string why;
  EXPECT_FALSE(parse_tcp_address(text, &why)) << text;
  return why;
}

TEST(TcpAddress, Ipv4) {
  const auto l = parse_tcp_address("127.0.0.1:8080");
  ASSERT_TRUE(l);
  EXPECT_EQ(l->kind, Listen::Kind::tcp);
  EXPECT_FALSE(l->ipv6);
  EXPECT_EQ(l->port, 8080);
  EXPECT_EQ(l->ip[0], 127);
  EXPECT_EQ(l->ip[3], 1);
  EXPECT_EQ(l->address, "127.0.0.1:8080");
  EXPECT_TRUE(parse_tcp_address("0.0.0.0:1"));
  EXPECT_TRUE(parse_tcp_address("255.255.255.255:65535"));
}

TEST(TcpAddress, Ipv6) {
  const auto l = parse_tcp_address("[::1]:8080");
  ASSERT_TRUE(l);
  EXPECT_TRUE(l->ipv6);
  EXPECT_EQ(l->port, 8080);
  EXPECT_EQ(l->ip[15], 1);
  EXPECT_EQ(l->scope_id, 0u);
  EXPECT_TRUE(parse_tcp_address("[::]:80"));
  EXPECT_TRUE(parse_tcp_address("[2001:db8::42]:443"));
  const auto scoped = parse_tcp_address("[fe80::1%7]:80");
  ASSERT_TRUE(scoped);
  EXPECT_EQ(scoped->scope_id, 7u);
  const auto lo = parse_tcp_address("[fe80::1%lo]:80");  // every Linux has lo
  ASSERT_TRUE(lo);
  EXPECT_GT(lo->scope_id, 0u);
}

TEST(TcpAddress, Refused) {
  EXPECT_EQ(why_not("8080"), "no \":PORT\"");
  EXPECT_EQ(why_not(":8080"), "no HOST (0.0.0.0: every address)");
  EXPECT_EQ(why_not("127.0.0.1:"), "PORT must be a number from 1 to 65535");
  EXPECT_EQ(why_not("127.0.0.1:0"), "PORT must be a number from 1 to 65535");
  EXPECT_EQ(why_not("127.0.0.1:65536"), "PORT must be a number from 1 to 65535");
  EXPECT_EQ(why_not("127.0.0.1:+80"), "PORT must be a number from 1 to 65535");
  EXPECT_EQ(why_not("127.0.0.1:080000"), "PORT must be a number from 1 to 65535");
  EXPECT_EQ(why_not("127.0.0.1:http"), "PORT must be a number from 1 to 65535");
  EXPECT_EQ(why_not("localhost:80"), "HOST is not an IPv4 address (host names are not looked up)");
  EXPECT_EQ(why_not("127.1:80"), "HOST is not an IPv4 address (host names are not looked up)");
  EXPECT_EQ(why_not("256.0.0.1:80"), "HOST is not an IPv4 address (host names are not looked up)");
  EXPECT_EQ(why_not("::1:80"), "an IPv6 address goes in brackets, as in [::1]:8080");
  EXPECT_EQ(why_not("[::1]"), "no \":PORT\" after \"]\"");
  EXPECT_EQ(why_not("[::1]8080"), "no \":PORT\" after \"]\"");
  EXPECT_EQ(why_not("[::1:8080"), "\"[\" without \"]\"");
  EXPECT_EQ(why_not("[]:80"), "no address in the brackets");
  EXPECT_EQ(why_not("[127.0.0.1]:80"), "HOST is not an IPv6 address");
  EXPECT_EQ(why_not("[fe80::1%no-such-if0]:80"), "unknown interface \"no-such-if0\"");
}

TEST(TcpAddress, Conflicts) {
  const auto l = [](const char* s) { return *parse_tcp_address(s); };
  Listen u1, u2;
  u1.kind = u2.kind = Listen::Kind::unix_socket;
  u1.address = "/run/a.sock";
  u2.address = "/run//a.sock";
  EXPECT_TRUE(listen_conflict(u1, u2));
  EXPECT_TRUE(listen_conflict(l("127.0.0.1:80"), l("127.0.0.1:80")));
  EXPECT_TRUE(listen_conflict(l("0.0.0.0:80"), l("127.0.0.1:80")));
  EXPECT_TRUE(listen_conflict(l("[::]:80"), l("10.0.0.1:80")));
  EXPECT_TRUE(listen_conflict(l("[::1]:80"), l("[::]:80")));
  EXPECT_FALSE(listen_conflict(l("127.0.0.1:80"), l("127.0.0.2:80")));
  EXPECT_FALSE(listen_conflict(l("127.0.0.1:80"), l("127.0.0.1:81")));
  EXPECT_FALSE(listen_conflict(l("0.0.0.0:80"), l("[::1]:80")));
  EXPECT_FALSE(listen_conflict(l("127.0.0.1:80"), u1));
}

TEST(Listen, Entries) {
  const WorkerSpec w = worker(R"("command": ["/bin/sh"], "listen": [
      {"tcp": "127.0.0.1:8080"}, {"tcp": "[::1]:8080", "name": "v6"},
      {"unix": "/run/app.sock"}, {"unix": "/run/admin.sock", "mode": "0600", "name": "admin"}])");
  ASSERT_EQ(w.listen.size(), 4u);
  EXPECT_EQ(w.listen[0].address, "127.0.0.1:8080");
  EXPECT_EQ(w.listen[0].name, "");
  EXPECT_EQ(w.listen[1].name, "v6");
  EXPECT_TRUE(w.listen[1].ipv6);
  EXPECT_EQ(w.listen[2].kind, Listen::Kind::unix_socket);
  EXPECT_EQ(w.listen[2].mode, 0666u);
  EXPECT_EQ(w.listen[3].mode, 0600u);
  EXPECT_EQ(w.listen[3].name, "admin");
  EXPECT_TRUE(worker(R"("command": ["/bin/sh"], "listen": [])").listen.empty());
}

TEST(Listen, RoundTrip) {
  const ChildSpec c = first_child(R"({"id": "w", "command": ["/bin/sh"], "listen": [
      {"tcp": "[::1]:8080", "name": "v6"}, {"unix": "/run/app.sock", "mode": "0660"}]})");
  const nlohmann::json j = to_json(c);
  EXPECT_EQ(j["listen"], nlohmann::json::parse(R"([{"tcp": "[::1]:8080", "name": "v6"},
                                                   {"unix": "/run/app.sock", "mode": "0660"}])"));
  const ChildResult back = load_child(j, "", options());
  ASSERT_TRUE(back.child) << ::testing::PrintToString(texts(back.errors));
  EXPECT_EQ(*back.child, c);
  EXPECT_FALSE(to_json(first_child(R"({"id": "w", "command": ["/bin/sh"]})")).contains("listen"));
}

TEST(Listen, Errors) {
  const std::string cmd = R"("command": ["/bin/sh"], )";
  const std::string p = "/root/children/0/listen";
  EXPECT_EQ(
      worker_errors(cmd + R"("listen": {"tcp": "127.0.0.1:80"})"),
      std::vector<std::string>{
          p +
          ": expected an array of {\"tcp\": \"HOST:PORT\"} and {\"unix\": PATH} objects, found an object"});
  EXPECT_EQ(worker_errors(cmd + R"("listen": ["127.0.0.1:80"])"),
            std::vector<std::string>{p + "/0: expected an object, found \"127.0.0.1:80\""});
  EXPECT_EQ(worker_errors(cmd + R"("listen": [{}])"),
            std::vector<std::string>{p + "/0: expected exactly one of \"tcp\" and \"unix\""});
  EXPECT_EQ(worker_errors(cmd + R"("listen": [{"tcp": "127.0.0.1:80", "unix": "/run/a"}])"),
            std::vector<std::string>{p + "/0: expected exactly one of \"tcp\" and \"unix\""});
  EXPECT_EQ(worker_errors(cmd + R"("listen": [{"tcp": "localhost:80"}])"),
            std::vector<std::string>{
                p + "/0/tcp: expected \"HOST:PORT\" (HOST an IPv4 address, or an IPv6 address in "
                    "brackets as in [::1]:8080), found \"localhost:80\": HOST is not an IPv4 "
                    "address (host names are not looked up)"});
  EXPECT_EQ(worker_errors(cmd + R"("listen": [{"tcp": 80}])"),
            std::vector<std::string>{p + "/0/tcp: expected a non-empty string, found 80"});
  EXPECT_EQ(worker_errors(cmd + R"("listen": [{"unix": "run/a.sock"}])"),
            std::vector<std::string>{p + "/0/unix: expected an absolute path, found \"run/a.sock\""});
  EXPECT_EQ(
      worker_errors(cmd + R"("listen": [{"unix": "/)" + std::string(107, 'a') + R"("}])"),
      std::vector<std::string>{
          p + "/0/unix: expected at most 107 bytes (the limit of a Unix socket path), found 108 bytes"});
  EXPECT_EQ(
      worker_errors(cmd + R"("listen": [{"unix": "/run/a", "mode": "0999"}])"),
      std::vector<std::string>{
          p + "/0/mode: expected an octal string from \"0000\" to \"0777\" like \"0660\", found \"0999\""});
  EXPECT_EQ(worker_errors(cmd + R"("listen": [{"unix": "/run/a", "mode": 432}])"),
            std::vector<std::string>{
                p + "/0/mode: expected an octal string from \"0000\" to \"0777\" like \"0660\", found 432"});
  EXPECT_EQ(worker_errors(cmd + R"("listen": [{"tcp": "127.0.0.1:80", "mode": "0660"}])"),
            std::vector<std::string>{p + "/0/mode: only for a \"unix\" socket"});
  EXPECT_EQ(worker_errors(cmd + R"("listen": [{"tcp": "127.0.0.1:80", "name": "a:b"}])"),
            std::vector<std::string>{
                p + "/0/name: expected 1 to 255 printable ASCII characters without \":\", found \"a:b\""});
  EXPECT_EQ(worker_errors(cmd + R"("listen": [{"tcp": "127.0.0.1:80", "name": ""}])"),
            std::vector<std::string>{
                p + "/0/name: expected 1 to 255 printable ASCII characters without \":\", found \"\""});
  EXPECT_EQ(worker_errors(cmd + R"("listen": [{"tcp": "127.0.0.1:80", "port": 80}])"),
            std::vector<std::string>{p + "/0/port: unknown key"});
}

TEST(Listen, ReadyFdAmongTheSockets) {
  const std::string cmd = R"("command": ["/bin/sh"], )";
  EXPECT_EQ(
      worker_errors(cmd + R"("ready": {"fd": 4}, "listen": [{"tcp": "127.0.0.1:80"}, {"unix": "/run/a"}])"),
      std::vector<std::string>{"/root/children/0/ready/fd: fd 4 is taken by a listening socket (\"listen\" "
                               "passes fds 3 to 4); use 5 or above"});
  EXPECT_TRUE(worker_errors(cmd + R"("listen": [{"tcp": "127.0.0.1:80"}], "ready": {"fd": 4})").empty());
}

TEST(Listen, NotOnSupervisorsOrTemplates) {
  EXPECT_EQ(errors_of(with_children(R"({"id": "s", "type": "supervisor", "listen": []})")),
            std::vector<std::string>{"/root/children/0/listen: unknown key for a supervisor"});
  EXPECT_EQ(errors_of(R"({"root": {"listen": []}})"),
            std::vector<std::string>{"/root/listen: unknown key for a supervisor"});
  EXPECT_EQ(
      errors_of(with_children(R"({"id": "d", "type": "dynamic_supervisor",
                                         "template": {"command": ["/bin/sh"], "listen": []}})")),
      std::vector<std::string>{"/root/children/0/template/listen: not allowed in a template (every child "
                               "made from it would bind the same address)"});
}

TEST(Listen, SameAddressTwiceInTheTree) {
  const std::string tree = R"({"root": {"children": [
      {"id": "a", "command": ["/bin/sh"], "listen": [{"tcp": "127.0.0.1:80"}, {"unix": "/run/a.sock"}]},
      {"id": "s", "type": "supervisor", "children": [
        {"id": "b", "command": ["/bin/sh"], "listen": [{"tcp": "127.0.0.1:80"}, {"unix": "/run//a.sock"}]},
        {"id": "c", "command": ["/bin/sh"], "listen": [{"tcp": "0.0.0.0:80"}, {"tcp": "127.0.0.1:81"},
                                                       {"tcp": "127.0.0.1:81"}]}]}]}})";
  EXPECT_EQ(errors_of(tree),
            (std::vector<std::string>{
                "/root/children/1/children/0/listen/0/tcp: duplicate address \"127.0.0.1:80\" (first at "
                "/root/children/0/listen/0/tcp)",
                "/root/children/1/children/0/listen/1/unix: duplicate address \"/run//a.sock\" (first at "
                "/root/children/0/listen/1/unix)",
                "/root/children/1/children/1/listen/0/tcp: \"0.0.0.0:80\" overlaps \"127.0.0.1:80\" at "
                "/root/children/0/listen/0/tcp (a wildcard address takes the port on every address)",
                "/root/children/1/children/1/listen/2/tcp: duplicate address \"127.0.0.1:81\" (first at "
                "/root/children/1/children/1/listen/1/tcp)"}));
}

}  // namespace
}  // namespace arbor::config::test
