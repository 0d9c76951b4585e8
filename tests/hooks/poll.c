/*
 * Description: poll(2), level-triggered as the kernel reports it.  An empty
 * pipe times out (0, after the timeout, other threads running meanwhile);
 * poll(-1) wakes when a writer thread writes 50 ms later; unread data is
 * reported again and again, and no more once read; the write end is POLLOUT;
 * a closed writer gives POLLHUP, a closed fd POLLNVAL, a negative fd is
 * ignored; a TCP peer's shutdown gives POLLIN|POLLRDHUP and urgent data
 * POLLPRI; nfds 0 sleeps for the timeout; a signal gives EINTR even with
 * SA_RESTART.
 */
#include "snippet.h"

static void on_alarm(int sig)
{
  (void)sig;
}

int main(void)
{
  start();
  int p[2];
  CHECK(pipe(p) == 0);
  struct pollfd f[3] = {{p[0], POLLIN, 0}, {p[1], POLLOUT, 0}, {-1, POLLIN, 0}};

  struct ticker k;
  ticker_start(&k, 30);
  double t0 = now_ms();
  SYS("poll an empty pipe, 100ms", poll(f, 1, 100));
  double dt = now_ms() - t0;
  printf("waited 90ms to 2s: %s\n", yesno(dt >= 90 && dt < 2000));
  printf("another thread ran meanwhile: %s\n", yesno(ticker_ran(&k)));

  struct later w = {p[1], "x", 50, 0};
  t0 = now_ms();
  pthread_t t = spawn(later_fn, &w);
  SYS("poll(-1) until the writer writes", poll(f, 1, -1));
  printf("waited at least 40ms: %s, revents %s\n", yesno(now_ms() - t0 >= 40),
         events_str(f[0].revents));
  join(t);
  SYS("poll again, data unread", poll(f, 3, 0));
  printf("revents %s %s %s\n", events_str(f[0].revents),
         events_str(f[1].revents), events_str(f[2].revents));
  char c;
  CHECK(read(p[0], &c, 1) == 1);
  SYS("poll after reading it, timeout 0", poll(f, 1, 0));

  CHECK(close(p[1]) == 0);
  SYS("poll, writer closed", poll(f, 1, 0));
  printf("revents %s\n", events_str(f[0].revents));
  CHECK(close(p[0]) == 0);
  SYS("poll, fd closed", poll(f, 1, 0));
  printf("revents %s\n", events_str(f[0].revents));

  int s[2];
  tcp_pair(s);
  struct pollfd sf = {s[0], POLLIN | POLLPRI | POLLRDHUP, 0};
  CHECK(send(s[1], "!", 1, MSG_OOB) == 1);
  SYS("poll, urgent data sent", poll(&sf, 1, 1000));
  printf("revents %s\n", events_str(sf.revents));
  CHECK(recv(s[0], &c, 1, MSG_OOB) == 1);
  CHECK(shutdown(s[1], SHUT_WR) == 0);
  SYS("poll, peer shut down", poll(&sf, 1, 1000));
  printf("revents %s\n", events_str(sf.revents));

  t0 = now_ms();
  SYS("poll with no fds, 50ms", poll(NULL, 0, 50));
  printf("waited at least 50ms: %s\n", yesno(now_ms() - t0 >= 49));

  int q[2];
  CHECK(pipe(q) == 0);
  struct pollfd qf = {q[0], POLLIN, 0};
  on_signal(SIGALRM, on_alarm, SA_RESTART);
  alarm_ms(50);
  SYS("poll(-1) interrupted by a SA_RESTART handler", poll(&qf, 1, -1));
  return 0;
}
