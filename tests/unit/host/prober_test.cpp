// The Prober's tcp and http probes against real sockets on a real loop: what passes, the
// exact text of each failure, and a cancel that leaves no handle behind (TearDown checks
// uv_loop_close). Exec probes need the App's routing of runner tokens: tested on arbord
// (tests/integration/daemon/health_test.cpp).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <optional>

#include "daemon/host/prober.h"
#include "host_fixture.h"

namespace arbor::host::testing {
namespace {

// A listening socket on 127.0.0.1 (the kernel completes connections into its backlog, so
// a tcp probe passes without an accept).
struct Listener {
  int fd = -1;
  int port = 0;
  Listener() {
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd, 16) != 0) {
      ADD_FAILURE() << "cannot listen on the loopback: " << errno;
    }
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
  }
  ~Listener() { close(fd); }
};

int closed_port() {
  Listener l;
  return l.port;  // closed again when `l` goes
}

// An HTTP server of one canned answer on the test's loop: it accepts, reads the request
// head, writes `answer` (nothing: closes at once) and closes.
class CannedServer {
 public:
  CannedServer(uv_loop_t* loop, std::string answer) : answer_(std::move(answer)) {
    uv_tcp_init(loop, &server_);
    server_.data = this;
    sockaddr_in addr{};
    uv_ip4_addr("127.0.0.1", 0, &addr);
    uv_tcp_bind(&server_, reinterpret_cast<const sockaddr*>(&addr), 0);
    int len = sizeof addr;
    uv_tcp_getsockname(&server_, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
    uv_listen(reinterpret_cast<uv_stream_t*>(&server_), 8, [](uv_stream_t* s, int) {
      auto* self = static_cast<CannedServer*>(s->data);
      auto* client = new Client{self};
      uv_tcp_init(s->loop, &client->tcp);
      client->tcp.data = client;
      uv_accept(s, reinterpret_cast<uv_stream_t*>(&client->tcp));
      uv_read_start(
          reinterpret_cast<uv_stream_t*>(&client->tcp),
          [](uv_handle_t* h, std::size_t, uv_buf_t* b) {
            auto* c = static_cast<Client*>(h->data);
            *b = uv_buf_init(c->buf, sizeof c->buf);
          },
          &CannedServer::on_read);
    });
  }
  void close() { uv_close(reinterpret_cast<uv_handle_t*>(&server_), nullptr); }
  int port = 0;
  std::string request;

 private:
  struct Client {
    CannedServer* server;
    uv_tcp_t tcp{};
    uv_write_t write{};
    char buf[1024];
  };
  static void finish(Client* c) {
    uv_close(reinterpret_cast<uv_handle_t*>(&c->tcp),
             [](uv_handle_t* h) { delete static_cast<Client*>(h->data); });
  }
  static void on_read(uv_stream_t* s, ssize_t n, const uv_buf_t* b) {
    auto* c = static_cast<Client*>(s->data);
    if (n < 0) return finish(c);
    c->server->request.append(b->base, static_cast<std::size_t>(n));
    if (c->server->request.find("\r\n\r\n") == std::string::npos) return;
    uv_read_stop(s);
    if (c->server->answer_.empty()) return finish(c);
    uv_buf_t out = uv_buf_init(c->server->answer_.data(), static_cast<unsigned>(c->server->answer_.size()));
    uv_write(&c->write, s, &out, 1,
             [](uv_write_t* w, int) { finish(static_cast<Client*>(w->handle->data)); });
  }
  uv_tcp_t server_{};
  std::string answer_;
};

class ProberTest : public HostTest {
 protected:
  void SetUp() override {
    HostTest::SetUp();
    prober_ = std::make_unique<Prober>(&loop_, *runner_);
  }
  void TearDown() override {
    prober_.reset();
    HostTest::TearDown();
  }

  static config::Probe tcp(int port) {
    config::Probe p;
    p.kind = config::Probe::Kind::tcp;
    p.host = "127.0.0.1";
    p.port = port;
    p.text = "127.0.0.1:" + std::to_string(port);
    return p;
  }
  static config::Probe http(int port, std::string path) {
    config::Probe p = tcp(port);
    p.kind = config::Probe::Kind::http;
    p.path = std::move(path);
    return p;
  }

  // Runs `probe` and waits for its answer: {passed, error}.
  std::optional<std::pair<bool, std::string>> probe(const config::Probe& p) {
    std::optional<std::pair<bool, std::string>> result;
    prober_->run(1, p, {}, [&](bool passed, const std::string& error) { result = {passed, error}; });
    EXPECT_FALSE(result.has_value()) << "answered from inside run()";
    run_until([&] { return result.has_value(); });
    return result;
  }

  std::unique_ptr<Prober> prober_;
};

TEST_F(ProberTest, TcpPassesOnAListeningPort) {
  Listener l;
  EXPECT_EQ(probe(tcp(l.port)), std::make_pair(true, std::string()));
  EXPECT_EQ(prober_->in_flight(), 0u);
}

TEST_F(ProberTest, TcpFailsOnAClosedPort) {
  const int port = closed_port();
  EXPECT_EQ(probe(tcp(port)),
            std::make_pair(false, "connect 127.0.0.1:" + std::to_string(port) + ": connection refused"));
}

TEST_F(ProberTest, HttpStatusDecides) {
  struct Case {
    std::string answer;
    bool passed;
    std::string error;
  };
  const Case cases[] = {
      {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", true, ""},
      {"HTTP/1.0 302 Found\r\nLocation: /\r\n\r\n", true, ""},
      {"HTTP/1.1 503 Service Unavailable\r\n\r\n", false, "GET /healthz: 503"},
      {"HTTP/1.1 404 Not Found\r\n\r\n", false, "GET /healthz: 404"},
      {"SSH-2.0-OpenSSH_9.2\r\n", false, "GET /healthz: not an HTTP answer"},
      {"", false, "GET /healthz: connection closed before a status line"},
  };
  for (const Case& c : cases) {
    CannedServer server(&loop_, c.answer);
    EXPECT_EQ(probe(http(server.port, "/healthz")), std::make_pair(c.passed, c.error)) << c.answer;
    EXPECT_EQ(
        server.request.rfind("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(server.port), 0),
        0u)
        << server.request;
    server.close();
    run_for(10);
  }
}

TEST_F(ProberTest, CancelledProbeNeverAnswersAndLeavesNoHandle) {
  Listener l;  // accepts into its backlog, never answers: the GET hangs
  bool answered = false;
  prober_->run(7, http(l.port, "/"), {}, [&](bool, const std::string&) { answered = true; });
  run_for(50);
  EXPECT_EQ(prober_->in_flight(), 1u);
  prober_->cancel(7);
  EXPECT_EQ(prober_->in_flight(), 0u);
  run_for(20);
  EXPECT_FALSE(answered);
}

TEST_F(ProberTest, NewProbeForAKeyReplacesTheOld) {
  Listener l;
  int first = 0;
  prober_->run(3, http(l.port, "/"), {}, [&](bool, const std::string&) { ++first; });
  auto second = probe(tcp(l.port));  // key 1: another worker's probe is untouched
  EXPECT_EQ(prober_->in_flight(), 1u);
  prober_->run(3, tcp(l.port), {}, [&](bool passed, const std::string&) { first += passed ? 10 : 100; });
  run_until([&] { return first != 0; });
  EXPECT_EQ(first, 10);
  EXPECT_TRUE(second && second->first);
}

}  // namespace
}  // namespace arbor::host::testing
