/*
 * Description: select(2), level-triggered.  An empty pipe times out (0, the
 * timeval counted down to zero as Linux does, other threads running
 * meanwhile); a NULL timeout waits for a writer thread (50 ms); woken early,
 * the timeval holds the time left; unread data is reported again; read and
 * write sets together; TCP urgent data shows in the exception set; a closed
 * fd in a set gives EBADF; nfds 0 sleeps for the timeout; a signal gives
 * EINTR even with SA_RESTART.
 */
#include "snippet.h"
#include <sys/select.h>

static void on_alarm(int sig)
{
  (void)sig;
}

int main(void)
{
  start();
  int p[2];
  CHECK(pipe(p) == 0);
  int nfds = (p[0] > p[1] ? p[0] : p[1]) + 1;
  fd_set rd, wr;
  FD_ZERO(&rd);
  FD_SET(p[0], &rd);
  struct timeval tv = {0, 100000};

  struct ticker k;
  ticker_start(&k, 30);
  double t0 = now_ms();
  SYS("select on an empty pipe, 100ms", select(nfds, &rd, NULL, NULL, &tv));
  double dt = now_ms() - t0;
  printf("waited 90ms to 2s: %s, timeval left %ld.%06ld\n",
         yesno(dt >= 90 && dt < 2000), (long)tv.tv_sec, (long)tv.tv_usec);
  printf("another thread ran meanwhile: %s\n", yesno(ticker_ran(&k)));

  struct later w = {p[1], "x", 50, 0};
  t0 = now_ms();
  pthread_t t = spawn(later_fn, &w);
  FD_SET(p[0], &rd);
  SYS("select, NULL timeout, until the writer writes",
      select(nfds, &rd, NULL, NULL, NULL));
  printf("waited at least 40ms: %s, readable: %s\n", yesno(now_ms() - t0 >= 40),
         yesno(FD_ISSET(p[0], &rd)));
  join(t);

  CHECK(read(p[0], &(char){0}, 1) == 1);
  w = (struct later){p[1], "y", 50, 0};
  t = spawn(later_fn, &w);
  tv = (struct timeval){2, 0};
  SYS("select, 2s timeout, woken at 50ms", select(nfds, &rd, NULL, NULL, &tv));
  printf("timeval left between 1s and 2s: %s\n",
         yesno(tv.tv_sec == 1 && tv.tv_usec > 0));
  join(t);

  FD_SET(p[0], &rd);
  FD_ZERO(&wr);
  FD_SET(p[1], &wr);
  tv = (struct timeval){0, 0};
  SYS("select read and write sets, data unread",
      select(nfds, &rd, &wr, NULL, &tv));
  printf("readable: %s, writable: %s\n", yesno(FD_ISSET(p[0], &rd)),
         yesno(FD_ISSET(p[1], &wr)));

  int s[2];
  tcp_pair(s);
  fd_set ex;
  FD_ZERO(&ex);
  FD_SET(s[0], &ex);
  CHECK(send(s[1], "!", 1, MSG_OOB) == 1);
  tv = (struct timeval){1, 0};
  SYS("select, urgent data sent", select(s[0] + 1, NULL, NULL, &ex, &tv));
  printf("in the exception set: %s\n", yesno(FD_ISSET(s[0], &ex)));

  CHECK(close(s[1]) == 0);
  FD_ZERO(&rd);
  FD_SET(s[1], &rd);
  tv = (struct timeval){0, 0};
  SYS("select with a closed fd", select(s[1] + 1, &rd, NULL, NULL, &tv));

  tv = (struct timeval){0, 50000};
  t0 = now_ms();
  SYS("select with no fds, 50ms", select(0, NULL, NULL, NULL, &tv));
  printf("waited at least 50ms: %s\n", yesno(now_ms() - t0 >= 49));

  int q[2];
  CHECK(pipe(q) == 0);
  FD_ZERO(&rd);
  FD_SET(q[0], &rd);
  on_signal(SIGALRM, on_alarm, SA_RESTART);
  alarm_ms(50);
  SYS("select interrupted by a SA_RESTART handler",
      select(q[0] + 1, &rd, NULL, NULL, NULL));
  return 0;
}
