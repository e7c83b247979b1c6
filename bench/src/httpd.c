/* httpd: the small HTTP server of bench/sockets.sh. Answers every request with
 * "200 OK" and a 3-byte body, keep-alive, from one epoll loop (no threads).
 *
 * Its listening socket: fd 3 when the socket-activation variables are for it (LISTEN_FDS,
 * LISTEN_PID = its pid: arbor's "listen"), else its own, bound to argv[1] ("HOST:PORT",
 * SO_REUSEADDR) as a server that knows nothing of the protocol does. Either way it sets
 * TCP_DEFER_ACCEPT (nginx's "deferred"): a connection is accepted once its request has
 * arrived, so a connection waiting to send stays in the listening socket's backlog. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

static const char kReply[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\nok\n";
static const char kReplyClose[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n";

static int inherited(void) {
  const char* pid = getenv("LISTEN_PID");
  const char* fds = getenv("LISTEN_FDS");
  if (pid == NULL || fds == NULL || atoi(pid) != (int)getpid() || atoi(fds) < 1) return -1;
  return 3;
}

static int own(const char* address) {
  char host[64];
  const char* colon = strrchr(address, ':');
  if (colon == NULL || (size_t)(colon - address) >= sizeof host) return -1;
  memcpy(host, address, (size_t)(colon - address));
  host[colon - address] = '\0';
  struct sockaddr_in sa = {0};
  sa.sin_family = AF_INET;
  sa.sin_port = htons((unsigned short)atoi(colon + 1));
  if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) return -1;
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, (struct sockaddr*)&sa, sizeof sa) < 0 || listen(fd, SOMAXCONN) < 0) {
    perror("httpd: bind/listen");
    exit(1);
  }
  return fd;
}

int main(int argc, char** argv) {
  int lfd = inherited();
  if (lfd < 0 && argc > 1) lfd = own(argv[1]);
  if (lfd < 0) {
    fprintf(stderr, "usage: httpd HOST:PORT (or started with LISTEN_FDS/LISTEN_PID)\n");
    return 2;
  }
  const int defer_s = 1;
  setsockopt(lfd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer_s, sizeof defer_s);
  fcntl(lfd, F_SETFL, fcntl(lfd, F_GETFL) | O_NONBLOCK);
  const int ep = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = lfd};
  epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
  struct epoll_event events[64];
  char buf[8192];
  for (;;) {
    const int n = epoll_wait(ep, events, 64, -1);
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      if (fd == lfd) {
        int c;
        while ((c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
          const int one = 1;
          setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          struct epoll_event cev = {.events = EPOLLIN, .data.fd = c};
          epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
        }
        continue;
      }
      /* Requests are small GETs: count the ends of headers in what arrived, answer each. */
      const ssize_t got = read(fd, buf, sizeof buf);
      if (got <= 0) {
        if (got < 0 && errno == EAGAIN) continue;
        close(fd);
        continue;
      }
      int requests = 0;
      for (ssize_t k = 3; k < got; ++k)
        if (buf[k] == '\n' && buf[k - 1] == '\r' && buf[k - 2] == '\n' && buf[k - 3] == '\r') ++requests;
      /* "Connection: close" (bench/sockets.sh sends it): answer and close, as HTTP/1.1 says. */
      if (requests > 0 && memmem(buf, (size_t)got, "onnection: close", 16) != NULL) {
        if (write(fd, kReplyClose, sizeof kReplyClose - 1) < 0) perror("httpd: write");
        close(fd);
        continue;
      }
      for (int r = 0; r < requests; ++r)
        if (write(fd, kReply, sizeof kReply - 1) < 0) break;
    }
  }
}
