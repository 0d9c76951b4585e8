// cflags: -O2 -D_FORTIFY_SOURCE=2
/*
 * Description: __recv_chk, what recv() becomes under -D_FORTIFY_SOURCE=2
 * when the buffer's size is known and the count is not a constant: a recv
 * on loopback TCP that waits for a sender thread (50 ms), MSG_DONTWAIT
 * (EAGAIN), SO_RCVTIMEO expiry (EAGAIN), and end of stream.
 */
#include "snippet.h"

int main(void)
{
  start();
  char buf[16];
  volatile size_t want = sizeof(buf); /* not a constant: __recv_chk */
  int s[2];
  tcp_pair(s);

  struct later w = {s[1], "fortified", 50, 0};
  double t0 = now_ms();
  pthread_t t = spawn(later_fn, &w);
  ssize_t n = SYS("recv waits for the sender", recv(s[0], buf, want, 0));
  printf("data: %.*s\n", (int)(n > 0 ? n : 0), buf);
  printf("waited at least 40ms: %s\n", yesno(now_ms() - t0 >= 40));
  join(t);

  SYS("recv MSG_DONTWAIT, nothing there", recv(s[0], buf, want, MSG_DONTWAIT));
  struct timeval tv = {0, 100000};
  CHECK(setsockopt(s[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0);
  struct ticker k;
  ticker_start(&k, 30);
  t0 = now_ms();
  SYS("recv with a 100ms SO_RCVTIMEO", recv(s[0], buf, want, 0));
  double dt = now_ms() - t0;
  printf("waited 90ms to 2s: %s\n", yesno(dt >= 90 && dt < 2000));
  printf("another thread ran meanwhile: %s\n", yesno(ticker_ran(&k)));

  CHECK(close(s[1]) == 0);
  SYS("recv at end of stream", recv(s[0], buf, want, 0));
  return 0;
}
