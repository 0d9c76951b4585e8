/*
 * Description: readv(2) on a pipe: a scattered read that waits for a writer
 * thread (50 ms) and fills the first buffer before the second, EAGAIN on an
 * O_NONBLOCK pipe, EINVAL for a negative count, and end of file.
 */
#include "snippet.h"
#include <sys/uio.h>

int main(void)
{
  start();
  volatile int neg = -1; /* a runtime value: no compile-time warning */
  char a[5], b[32];
  struct iovec iov[2] = {{a, sizeof(a)}, {b, sizeof(b)}};
  int p[2];
  CHECK(pipe(p) == 0);

  struct later w = {p[1], "hello, world", 50, 0};
  double t0 = now_ms();
  pthread_t t = spawn(later_fn, &w);
  ssize_t n = SYS("readv waits for the writer", readv(p[0], iov, 2));
  printf("first: %.5s second: %.*s\n", a, (int)(n > 5 ? n - 5 : 0), b);
  printf("waited at least 40ms: %s\n", yesno(now_ms() - t0 >= 40));
  join(t);

  CHECK(fcntl(p[0], F_SETFL, O_NONBLOCK) == 0);
  SYS("readv of an empty O_NONBLOCK pipe", readv(p[0], iov, 2));
  CHECK(fcntl(p[0], F_SETFL, 0) == 0);
  SYS("readv with a negative count", readv(p[0], iov, neg));

  struct later w2 = {p[1], "bye", 50, 1};
  t = spawn(later_fn, &w2);
  n = SYS("readv waits again", readv(p[0], iov, 2));
  printf("first: %.*s\n", (int)n, a);
  join(t);
  SYS("readv at end of file", readv(p[0], iov, 2));
  return 0;
}
