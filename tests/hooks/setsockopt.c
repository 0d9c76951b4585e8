/*
 * Description: setsockopt(2), with what each option does to later calls.
 * SO_RCVTIMEO 100 ms: getsockopt reads it back, a recv gives EAGAIN after
 * it (other threads running meanwhile); SO_RCVTIMEO 0 means no timeout, so a
 * recv waits for a sender thread (150 ms); SO_SNDTIMEO reads back; a bad
 * timeval is EDOM; SO_RCVBUF reads back doubled; SO_REUSEADDR; a short
 * optlen is EINVAL, an unknown option ENOPROTOOPT, a pipe ENOTSOCK.
 */
#include "snippet.h"

int main(void)
{
  start();
  int s[2];
  tcp_pair(s);
  char buf[16];
  struct timeval tv = {0, 100000}, got;
  socklen_t len = sizeof(got);
  SYS("SO_RCVTIMEO 100ms",
      setsockopt(s[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
  CHECK(getsockopt(s[0], SOL_SOCKET, SO_RCVTIMEO, &got, &len) == 0);
  printf("reads back: %ld.%06ld\n", (long)got.tv_sec, (long)got.tv_usec);
  struct ticker k;
  ticker_start(&k, 30);
  double t0 = now_ms();
  SYS("recv", recv(s[0], buf, sizeof(buf), 0));
  double dt = now_ms() - t0;
  printf("waited 90ms to 2s: %s\n", yesno(dt >= 90 && dt < 2000));
  printf("another thread ran meanwhile: %s\n", yesno(ticker_ran(&k)));

  tv = (struct timeval){0, 0};
  SYS("SO_RCVTIMEO 0",
      setsockopt(s[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
  struct later w = {s[1], "patience", 150, 0};
  t0 = now_ms();
  pthread_t t = spawn(later_fn, &w);
  SYS("recv waits for the sender", recv(s[0], buf, sizeof(buf), 0));
  printf("waited at least 140ms: %s\n", yesno(now_ms() - t0 >= 140));
  join(t);

  tv = (struct timeval){1, 500000};
  SYS("SO_SNDTIMEO 1.5s",
      setsockopt(s[0], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)));
  len = sizeof(got);
  CHECK(getsockopt(s[0], SOL_SOCKET, SO_SNDTIMEO, &got, &len) == 0);
  printf("reads back: %ld.%06ld\n", (long)got.tv_sec, (long)got.tv_usec);
  tv = (struct timeval){0, 1000000};
  SYS("SO_RCVTIMEO with tv_usec 1e6",
      setsockopt(s[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));

  int v = 16384, out = 0;
  len = sizeof(out);
  SYS("SO_RCVBUF 16384",
      setsockopt(s[0], SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)));
  CHECK(getsockopt(s[0], SOL_SOCKET, SO_RCVBUF, &out, &len) == 0);
  printf("reads back: %d\n", out);
  v = 1;
  SYS("SO_REUSEADDR 1",
      setsockopt(s[0], SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v)));
  len = sizeof(out);
  CHECK(getsockopt(s[0], SOL_SOCKET, SO_REUSEADDR, &out, &len) == 0);
  printf("reads back: %d\n", out);
  SYS("SO_RCVTIMEO with optlen 1",
      setsockopt(s[0], SOL_SOCKET, SO_RCVTIMEO, &tv, 1));
  SYS("unknown option", setsockopt(s[0], SOL_SOCKET, 12345, &v, sizeof(v)));
  int p[2];
  CHECK(pipe(p) == 0);
  SYS("on a pipe", setsockopt(p[0], SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v)));
  return 0;
}
