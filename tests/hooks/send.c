/*
 * Description: send(2) on a loopback TCP connection with small buffers: a
 * 1 MiB send from a blocking program waits for a reader thread (starting
 * 50 ms later) and returns the full count, data intact.  On a full Unix
 * stream socket MSG_DONTWAIT gives EAGAIN and SO_SNDTIMEO expiry EAGAIN
 * after the timeout.  After shutdown(SHUT_WR), MSG_NOSIGNAL gives EPIPE.
 */
#include "snippet.h"

#define TOTAL (1 << 20)

struct drain {
  int fd;
  long total;
  int intact;
};

static void *drain(void *arg)
{
  struct drain *d = arg;
  static unsigned char b[8192];
  ssize_t n;
  sleep_ms(50);
  d->intact = 1;
  while (d->total < TOTAL && (n = read(d->fd, b, sizeof(b))) > 0) {
    for (ssize_t i = 0; i < n; i++)
      if (b[i] != (unsigned char)((d->total + i) % 251))
        d->intact = 0;
    d->total += n;
  }
  return NULL;
}

int main(void)
{
  start();
  static unsigned char big[TOTAL];
  for (int i = 0; i < TOTAL; i++)
    big[i] = (unsigned char)(i % 251);
  int s[2], small = 16384;
  tcp_pair(s);
  CHECK(setsockopt(s[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)) == 0);
  CHECK(setsockopt(s[1], SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)) == 0);

  struct drain d = {s[1], 0, 0};
  double t0 = now_ms();
  pthread_t t = spawn(drain, &d);
  SYS("1 MiB send", send(s[0], big, TOTAL, 0));
  printf("waited at least 40ms: %s\n", yesno(now_ms() - t0 >= 40));
  join(t);
  printf("reader got %ld bytes, intact: %s\n", d.total, yesno(d.intact));

  /* A Unix stream socket, full: nothing frees space behind our back. */
  int u[2];
  CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, u) == 0);
  CHECK(setsockopt(u[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)) == 0);
  for (int size = 65536; size >= 1; size /= 16)
    while (send(u[0], big, size, MSG_DONTWAIT) > 0)
      ;
  CHECK(errno == EAGAIN);
  SYS("send MSG_DONTWAIT when full", send(u[0], big, 100, MSG_DONTWAIT));
  struct timeval tv = {0, 100000};
  CHECK(setsockopt(u[0], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == 0);
  struct ticker k;
  ticker_start(&k, 30);
  t0 = now_ms();
  SYS("send with a 100ms SO_SNDTIMEO when full", send(u[0], big, 100, 0));
  double dt = now_ms() - t0;
  printf("waited 90ms to 2s: %s\n", yesno(dt >= 90 && dt < 2000));
  printf("another thread ran meanwhile: %s\n", yesno(ticker_ran(&k)));

  CHECK(shutdown(s[0], SHUT_WR) == 0);
  SYS("send after shutdown(SHUT_WR), MSG_NOSIGNAL",
      send(s[0], "x", 1, MSG_NOSIGNAL));
  int p[2];
  CHECK(pipe(p) == 0);
  SYS("send on a pipe", send(p[1], "x", 1, 0));
  return 0;
}
