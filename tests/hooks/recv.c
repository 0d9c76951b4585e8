/*
 * Description: recv(2) on a loopback TCP connection: a recv that waits for
 * a sender thread (50 ms), MSG_PEEK, MSG_DONTWAIT on an empty socket
 * (EAGAIN), MSG_WAITALL across two sends 50 ms apart, SO_RCVTIMEO expiry
 * (EAGAIN after the timeout, not before), end of stream, and ENOTSOCK.
 */
#include "snippet.h"

int main(void)
{
  start();
  char buf[64];
  int s[2];
  tcp_pair(s);

  struct later w = {s[1], "ping", 50, 0};
  double t0 = now_ms();
  pthread_t t = spawn(later_fn, &w);
  SYS("recv waits for the sender", recv(s[0], buf, sizeof(buf), 0));
  printf("waited at least 40ms: %s\n", yesno(now_ms() - t0 >= 40));
  join(t);

  CHECK(send(s[1], "peekaboo", 8, 0) == 8);
  SYS("recv MSG_PEEK", recv(s[0], buf, 4, MSG_PEEK));
  ssize_t n = SYS("recv after the peek", recv(s[0], buf, sizeof(buf), 0));
  printf("data: %.*s\n", (int)(n > 0 ? n : 0), buf);
  SYS("recv MSG_DONTWAIT, nothing there",
      recv(s[0], buf, sizeof(buf), MSG_DONTWAIT));

  CHECK(send(s[1], "ab", 2, 0) == 2);
  struct later w2 = {s[1], "cd", 50, 0};
  t = spawn(later_fn, &w2);
  n = SYS("recv 4 MSG_WAITALL", recv(s[0], buf, 4, MSG_WAITALL));
  printf("data: %.*s\n", (int)(n > 0 ? n : 0), buf);
  join(t);

  struct timeval tv = {0, 100000};
  CHECK(setsockopt(s[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0);
  struct ticker k;
  ticker_start(&k, 30);
  t0 = now_ms();
  SYS("recv with a 100ms SO_RCVTIMEO", recv(s[0], buf, sizeof(buf), 0));
  double dt = now_ms() - t0;
  printf("waited 90ms to 2s: %s\n", yesno(dt >= 90 && dt < 2000));
  printf("another thread ran meanwhile: %s\n", yesno(ticker_ran(&k)));

  struct later w3 = {s[1], NULL, 50, 1};
  t = spawn(later_fn, &w3);
  SYS("recv when the peer closes", recv(s[0], buf, sizeof(buf), 0));
  join(t);
  int p[2];
  CHECK(pipe(p) == 0);
  SYS("recv on a pipe", recv(p[0], buf, sizeof(buf), MSG_DONTWAIT));
  return 0;
}
