/*
 * Description: writev(2) to a pipe: a gathered write of 300000 bytes from a
 * blocking program waits for a reader thread (starting 50 ms later) and
 * returns the full count, in order; on an empty O_NONBLOCK pipe of one page
 * it writes what fits; on a full one EAGAIN; a negative count is EINVAL.
 */
#include "snippet.h"
#include <sys/uio.h>

struct drain {
  int fd;
  long total;
  int intact;
};

static void *drain(void *arg)
{
  struct drain *d = arg;
  static char b[8192];
  ssize_t n;
  sleep_ms(50);
  d->intact = 1;
  while ((n = read(d->fd, b, sizeof(b))) > 0) {
    for (ssize_t i = 0; i < n; i++)
      if (b[i] != "abc"[(d->total + i) / 100000])
        d->intact = 0;
    d->total += n;
  }
  return NULL;
}

int main(void)
{
  start();
  volatile int neg = -1; /* a runtime value: no compile-time warning */
  static char x[3][100000];
  struct iovec iov[3];
  for (int i = 0; i < 3; i++) {
    memset(x[i], "abc"[i], sizeof(x[i]));
    iov[i] = (struct iovec){x[i], sizeof(x[i])};
  }
  int p[2];
  CHECK(pipe(p) == 0);
  struct drain d = {p[0], 0, 0};
  double t0 = now_ms();
  pthread_t t = spawn(drain, &d);
  SYS("writev of 3 x 100000 bytes", writev(p[1], iov, 3));
  printf("waited at least 40ms: %s\n", yesno(now_ms() - t0 >= 40));
  CHECK(close(p[1]) == 0);
  join(t);
  printf("reader got %ld bytes in order: %s\n", d.total, yesno(d.intact));
  CHECK(close(p[0]) == 0);

  CHECK(pipe(p) == 0);
  CHECK(fcntl(p[1], F_SETPIPE_SZ, 4096) == 4096);
  CHECK(fcntl(p[1], F_SETFL, O_NONBLOCK) == 0);
  SYS("writev to an empty one-page O_NONBLOCK pipe", writev(p[1], iov, 3));
  SYS("writev to the full pipe", writev(p[1], iov, 3));
  SYS("writev with a negative count", writev(p[1], iov, neg));
  return 0;
}
