// arbor bench child: one small static program used by every supervisor under test.
// Usage: child MODE ARGS... ; exec'd as ./run, the arguments are read from ./bench-args
// (so runsv/s6-supervise/supervise can exec it directly as ./run, with no shell).
//   die  ID TSFILE            record start + death, exit(1) at once
//   live MS ID TSFILE         record start, live MS ms (or BASE+STEP: BASE+ID*STEP), record death, exit(1)
//   sleep ID TSFILE           record start, then sleep until killed
//   tick MS                   wake every MS ms and sleep again, until killed (a worker that
//                             uses a little CPU all the time: bench/metrics.sh WORKLOAD=tick)
//   log BYTES ID TSFILE       record start, write BYTES of 100-byte lines to stdout in
//                             4000-byte writes, record end, then sleep until killed
// Records are lines "S|E ID MONOTONIC_NS\n" appended (O_APPEND, one write) to TSFILE.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void record(const char* file, const char* buf, int len) {
  int fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return;
  (void)!write(fd, buf, len);
  close(fd);
}

static char* fileargs[16];
static char argbuf[4096];

int main(int argc, char** argv) {
  long long t0 = now_ns();
  prctl(PR_SET_NAME, "arborbenchkid");
  const char* base = strrchr(argv[0], '/');
  base = base ? base + 1 : argv[0];
  if (argc < 2 ||
      !strcmp(base, "run")) {  // exec'd as ./run (s6-supervise passes the service name as argv[1])
    int fd = open("bench-args", O_RDONLY);
    if (fd < 0) return 111;
    int n = read(fd, argbuf, sizeof argbuf - 1);
    close(fd);
    if (n <= 0) return 111;
    argbuf[n] = 0;
    int k = 1;
    fileargs[0] = argv[0];
    for (char* p = strtok(argbuf, " \n"); p && k < 15; p = strtok(NULL, " \n")) fileargs[k++] = p;
    argc = k;
    argv = fileargs;
  }
  char buf[256];
  const char* mode = argv[1];
  if (!strcmp(mode, "die") && argc >= 4) {
    long long t1 = now_ns();
    int len = snprintf(buf, sizeof buf, "S %s %lld\nE %s %lld\n", argv[2], t0, argv[2], t1);
    record(argv[3], buf, len);
    _exit(1);
  }
  if (!strcmp(mode, "live") && argc >= 5) {
    int len = snprintf(buf, sizeof buf, "S %s %lld\n", argv[3], t0);
    record(argv[4], buf, len);
    long long ms = atoll(argv[2]);
    const char* plus = strchr(argv[2], '+');  // "BASE+STEP": BASE + ID*STEP ms (staggers copies)
    if (plus) ms += atoll(plus + 1) * atoll(argv[3]);
    struct timespec d = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&d, &d) != 0) {
    }
    len = snprintf(buf, sizeof buf, "E %s %lld\n", argv[3], now_ns());
    record(argv[4], buf, len);
    _exit(1);
  }
  if (!strcmp(mode, "sleep") && argc >= 4) {
    int len = snprintf(buf, sizeof buf, "S %s %lld\n", argv[2], t0);
    record(argv[3], buf, len);
    for (;;) pause();
  }
  if (!strcmp(mode, "tick") && argc >= 3) {
    const long long ms = atoll(argv[2]);
    for (;;) {
      struct timespec d = {ms / 1000, (ms % 1000) * 1000000L};
      while (nanosleep(&d, &d) != 0) {
      }
    }
  }
  if (!strcmp(mode, "log") && argc >= 5) {
    int len = snprintf(buf, sizeof buf, "S %s %lld\n", argv[3], t0);
    record(argv[4], buf, len);
    long long lines = atoll(argv[2]) / 100;
    static char out[4000];
    long long seq = 0;
    while (seq < lines) {
      int m = 0;
      while (m + 100 <= (int)sizeof out && seq < lines) {
        snprintf(out + m, 101,
                 "%012lld "
                 "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789x",
                 seq);
        out[m + 99] = '\n';
        m += 100;
        seq++;
      }
      char* p = out;
      while (m > 0) {
        ssize_t w = write(1, p, m);
        if (w <= 0) _exit(3);
        p += w;
        m -= w;
      }
    }
    len = snprintf(buf, sizeof buf, "E %s %lld\n", argv[3], now_ns());
    record(argv[4], buf, len);
    for (;;) pause();
  }
  fprintf(stderr, "child: bad arguments\n");
  return 2;
}
