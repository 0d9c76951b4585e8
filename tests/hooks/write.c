/*
 * Description: write(2) to a pipe.  A 1 MiB write from a blocking program
 * blocks until a reader thread (which starts 50 ms later) drains the pipe,
 * and returns the full count with the data intact.  A full O_NONBLOCK pipe
 * gives EAGAIN; with no reader left (SIGPIPE ignored) EPIPE; a closed fd
 * EBADF.
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
  while ((n = read(d->fd, b, sizeof(b))) > 0) {
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
  int p[2];
  CHECK(pipe(p) == 0);

  struct drain d = {p[0], 0, 0};
  double t0 = now_ms();
  pthread_t t = spawn(drain, &d);
  SYS("1 MiB write to a pipe", write(p[1], big, TOTAL));
  printf("waited at least 40ms: %s\n", yesno(now_ms() - t0 >= 40));
  CHECK(close(p[1]) == 0);
  join(t);
  printf("reader got %ld bytes, intact: %s\n", d.total, yesno(d.intact));
  CHECK(close(p[0]) == 0);

  CHECK(pipe(p) == 0);
  CHECK(fcntl(p[1], F_SETPIPE_SZ, 4096) == 4096);
  CHECK(fcntl(p[1], F_SETFL, O_NONBLOCK) == 0);
  SYS("fill an O_NONBLOCK pipe", write(p[1], big, 4096));
  SYS("write to the full pipe", write(p[1], "x", 1));

  on_signal(SIGPIPE, SIG_IGN, 0);
  CHECK(close(p[0]) == 0);
  SYS("write with no reader", write(p[1], "x", 1));
  CHECK(close(p[1]) == 0);
  SYS("write to a closed fd", write(p[1], "x", 1));
  return 0;
}
