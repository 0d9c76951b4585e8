// cflags: -O2 -D_FORTIFY_SOURCE=2
/*
 * Description: __recvfrom_chk, what recvfrom() becomes under
 * -D_FORTIFY_SOURCE=2 when the buffer's size is known and the count is not
 * a constant: a UDP recvfrom that waits for a sender thread (50 ms) and
 * reports the sender, MSG_DONTWAIT (EAGAIN) and SO_RCVTIMEO expiry.
 */
#include "snippet.h"

struct sender {
  int fd;
  struct sockaddr_in to;
};

static void *send_later(void *arg)
{
  struct sender *s = arg;
  sleep_ms(50);
  CHECK(sendto(s->fd, "fortified", 9, 0, (struct sockaddr *)&s->to,
               sizeof(s->to)) == 9);
  return NULL;
}

int main(void)
{
  start();
  char buf[16];
  volatile size_t want = sizeof(buf); /* not a constant: __recvfrom_chk */
  struct sockaddr_in ra, sa, from;
  socklen_t fromlen = sizeof(from);
  int r = udp_local(&ra), s = udp_local(&sa);

  struct sender snd = {s, ra};
  double t0 = now_ms();
  pthread_t t = spawn(send_later, &snd);
  ssize_t n =
      SYS("recvfrom waits for the sender",
          recvfrom(r, buf, want, 0, (struct sockaddr *)&from, &fromlen));
  printf("data: %.*s\n", (int)(n > 0 ? n : 0), buf);
  printf("from the sender's port: %s\n", yesno(from.sin_port == sa.sin_port));
  printf("waited at least 40ms: %s\n", yesno(now_ms() - t0 >= 40));
  join(t);

  SYS("recvfrom MSG_DONTWAIT, nothing there",
      recvfrom(r, buf, want, MSG_DONTWAIT, NULL, NULL));
  struct timeval tv = {0, 100000};
  CHECK(setsockopt(r, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0);
  struct ticker k;
  ticker_start(&k, 30);
  t0 = now_ms();
  SYS("recvfrom with a 100ms SO_RCVTIMEO",
      recvfrom(r, buf, want, 0, NULL, NULL));
  double dt = now_ms() - t0;
  printf("waited 90ms to 2s: %s\n", yesno(dt >= 90 && dt < 2000));
  printf("another thread ran meanwhile: %s\n", yesno(ticker_ran(&k)));
  return 0;
}
