// The floor of bench/health.sh: the least any supervisor can do for N tcp health checks
// every INTERVAL ms. One thread, one epoll set, one timerfd; each port is probed on its own
// schedule spread over the interval (as arbord's probes are, each from its worker's start),
// by a non-blocking connect, a wait for writable, and a close with a reset (SO_LINGER 0, as
// kubelet and arbord do). Like arbord, it wakes on an 8 ms grid and sends every probe due by
// then in that wakeup (without it, 1,000 probes a second are 1,000 wakeups). No timeouts,
// no bookkeeping: what is left is the kernel's cost of a loopback handshake plus the
// wakeups, which arbord's own CPU can be compared to.
//
//   probe_floor BASE_PORT N INTERVAL_MS SECONDS
// prints "probes=P failed=F cpu_percent=C" at the end (its own user + system time over
// SECONDS).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static const uint64_t kGrid = 8000000u;  // ns: arbord's kProbeGrid

static void arm(int tfd, uint64_t at_ns) {
  at_ns = (at_ns + kGrid / 2) / kGrid * kGrid;
  struct itimerspec its = {0};
  its.it_value.tv_sec = (time_t)(at_ns / 1000000000u);
  its.it_value.tv_nsec = (long)(at_ns % 1000000000u);
  timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

int main(int argc, char** argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: probe_floor BASE_PORT N INTERVAL_MS SECONDS\n");
    return 2;
  }
  const int base = atoi(argv[1]), n = atoi(argv[2]);
  const uint64_t interval = (uint64_t)atoll(argv[3]) * 1000000u;
  const uint64_t end = now_ns() + (uint64_t)atoll(argv[4]) * 1000000000u;
  if (n <= 0 || interval == 0) return 2;
  const int ep = epoll_create1(EPOLL_CLOEXEC);
  const int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
  struct epoll_event tev = {.events = EPOLLIN, .data.u64 = UINT64_MAX};
  epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &tev);
  uint64_t start = now_ns(), next = start;  // probe k of round r is due at start + r*interval + k*interval/n
  long long round = 0, probes = 0, failed = 0;
  int k = 0;
  arm(tfd, next);
  while (now_ns() < end) {
    struct epoll_event evs[64];
    const int got = epoll_wait(ep, evs, 64, 1000);
    for (int i = 0; i < got; ++i) {
      if (evs[i].data.u64 == UINT64_MAX) {
        uint64_t ticks;
        if (read(tfd, &ticks, sizeof ticks) < 0 && errno != EAGAIN) return 1;
        const uint64_t t = now_ns() + kGrid / 2;
        while (next <= t) {  // every probe due by the grid point
          const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
          struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)(base + k))};
          sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
          if (fd >= 0 && (connect(fd, (struct sockaddr*)&sa, sizeof sa) == 0 || errno == EINPROGRESS)) {
            struct epoll_event ev = {.events = EPOLLOUT, .data.u64 = (uint64_t)fd};
            epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
          } else {
            ++failed;
            if (fd >= 0) close(fd);
          }
          if (++k == n) {
            k = 0;
            ++round;
          }
          next = start + (uint64_t)round * interval + (uint64_t)k * interval / (uint64_t)n;
        }
        arm(tfd, next);
      } else {
        const int fd = (int)evs[i].data.u64;
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err == 0)
          ++probes;
        else
          ++failed;
        const struct linger reset = {1, 0};
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
        epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
        close(fd);
      }
    }
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  const double cpu_s = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
                       ru.ru_stime.tv_usec / 1e6;
  printf("probes=%lld failed=%lld cpu_percent=%.2f\n", probes, failed,
         100.0 * cpu_s / (double)atoll(argv[4]));
  return 0;
}
