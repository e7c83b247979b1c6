// The physical floor: posix_spawn N copies of a child, wait for any, respawn it at once.
// Usage: floor N CHILD ARGS...   ("{i}" in an argument is replaced by the copy's index)
// SIGTERM: SIGTERM every child, reap them all, exit 0.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;
static volatile sig_atomic_t stopping;
static void on_term(int s) {
  (void)s;
  stopping = 1;
}

static int n;
static pid_t* pids;
static char** base;
static int nargs;

static pid_t spawn_one(int i) {
  char* argv[32];
  char idx[32];
  snprintf(idx, sizeof idx, "%d", i);
  for (int k = 0; k < nargs && k < 31; k++) argv[k] = strcmp(base[k], "{i}") ? base[k] : idx;
  argv[nargs < 31 ? nargs : 31] = NULL;
  pid_t pid;
  posix_spawnattr_t at;
  posix_spawnattr_init(&at);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&at, &none);
  posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK);
  int rc = posix_spawn(&pid, argv[0], NULL, &at, argv, environ);
  posix_spawnattr_destroy(&at);
  return rc == 0 ? pid : -1;
}

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: floor N CHILD ARGS...\n");
    return 2;
  }
  n = atoi(argv[1]);
  base = argv + 2;
  nargs = argc - 2;
  pids = calloc(n, sizeof *pids);
  struct sigaction sa = {0};
  sa.sa_handler = on_term;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  for (int i = 0; i < n && !stopping; i++) pids[i] = spawn_one(i);
  while (!stopping) {
    int st;
    pid_t p = waitpid(-1, &st, 0);
    if (p < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < n; i++)
      if (pids[i] == p) {
        pids[i] = stopping ? 0 : spawn_one(i);
        break;
      }
  }
  for (int i = 0; i < n; i++)
    if (pids[i] > 0) kill(pids[i], SIGTERM);
  while (waitpid(-1, NULL, 0) > 0 || errno == EINTR) {
  }
  return 0;
}
