/* arbor_sd_listen_client: a real client of the socket-activation protocol, through
 * libsystemd's own sd_listen_fds_with_names() (which checks LISTEN_PID against getpid()).
 *
 * Prints "listen: fds=N names=A,B pid=P" (N = 0 when the variables are not for it, or
 * absent), checks that each fd is a listening stream socket (sd_is_socket), then serves:
 * each accepted connection gets "NAME PID\n" and is closed. Exits 3 on a protocol error. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

int main(void) {
  char** names = NULL;
  const int n = sd_listen_fds_with_names(1, &names);
  if (n < 0) {
    fprintf(stderr, "sd_listen_fds_with_names: %s\n", strerror(-n));
    return 3;
  }
  printf("listen: fds=%d names=", n);
  for (int i = 0; i < n; ++i) printf("%s%s", i > 0 ? "," : "", names[i]);
  printf(" pid=%d\n", (int)getpid());
  fflush(stdout);
  if (n == 0) return 0;
  struct pollfd fds[64];
  if (n > 64) return 3;
  for (int i = 0; i < n; ++i) {
    const int fd = SD_LISTEN_FDS_START + i;
    if (sd_is_socket(fd, AF_UNSPEC, SOCK_STREAM, 1) <= 0) {
      fprintf(stderr, "fd %d is not a listening stream socket\n", fd);
      return 3;
    }
    fds[i].fd = fd;
    fds[i].events = POLLIN;
  }
  for (;;) {
    if (poll(fds, (nfds_t)n, -1) < 0 && errno != EINTR) return 3;
    for (int i = 0; i < n; ++i) {
      if ((fds[i].revents & POLLIN) == 0) continue;
      const int conn = accept(fds[i].fd, NULL, NULL);
      if (conn < 0) continue;
      char line[300];
      const int len = snprintf(line, sizeof line, "%s %d\n", names[i], (int)getpid());
      if (write(conn, line, (size_t)len) < 0) perror("write");
      close(conn);
    }
  }
}
