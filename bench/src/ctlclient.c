// Round-trip of `status PATH` over arbord's control socket (docs/PROTOCOL.md), C clients threads
// each on its own connection. Usage: ctlclient SOCKET PATH CLIENTS REQUESTS_PER_CLIENT
// Prints every round-trip in ns, one per line.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static const char *sock_path, *child_path;
static int nreq;
static long long* lat;

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void* run(void* arg) {
  long idx = (long)arg;
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  strncpy(a.sun_path, sock_path, sizeof a.sun_path - 1);
  if (connect(fd, (struct sockaddr*)&a, sizeof a) != 0) {
    perror("connect");
    exit(3);
  }
  static __thread char rb[1 << 16];
  char req[512];
  for (int i = 0; i < nreq; i++) {
    int len = snprintf(req, sizeof req, "{\"id\":%d,\"cmd\":\"status\",\"args\":{\"path\":\"%s\"}}\n", i + 1,
                       child_path);
    long long t0 = now_ns();
    if (write(fd, req, len) != len) {
      perror("write");
      exit(3);
    }
    for (;;) {
      ssize_t r = read(fd, rb, sizeof rb);
      if (r <= 0) {
        fprintf(stderr, "ctlclient: connection closed\n");
        exit(3);
      }
      if (memchr(rb, '\n', r)) {
        if (i == 0 && !strstr(rb, "\"ok\":true") && !strstr(rb, "\"ok\": true")) {
          fprintf(stderr, "ctlclient: error reply: %.*s\n", (int)r, rb);
          exit(4);
        }
        break;
      }
    }
    lat[idx * nreq + i] = now_ns() - t0;
  }
  close(fd);
  return NULL;
}

int main(int argc, char** argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: ctlclient SOCKET PATH CLIENTS REQUESTS\n");
    return 2;
  }
  sock_path = argv[1];
  child_path = argv[2];
  int nc = atoi(argv[3]);
  nreq = atoi(argv[4]);
  lat = calloc((size_t)nc * nreq, sizeof *lat);
  pthread_t* t = calloc(nc, sizeof *t);
  for (long i = 0; i < nc; i++) pthread_create(&t[i], NULL, run, (void*)i);
  for (int i = 0; i < nc; i++) pthread_join(t[i], NULL);
  for (long i = 0; i < (long)nc * nreq; i++) printf("%lld\n", lat[i]);
  return 0;
}
