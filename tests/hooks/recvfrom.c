/*
 * Description: recvfrom(2) on UDP over loopback: a recvfrom that waits for
 * a sender thread (50 ms) and reports the sender's address, a datagram
 * truncated to the buffer (and its full length with MSG_TRUNC), MSG_DONTWAIT
 * on an empty socket (EAGAIN) and SO_RCVTIMEO expiry (EAGAIN).
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
  CHECK(sendto(s->fd, "datagram", 8, 0, (struct sockaddr *)&s->to,
               sizeof(s->to)) == 8);
  return NULL;
}

int main(void)
{
  start();
  char buf[64];
  struct sockaddr_in ra, sa, from;
  socklen_t fromlen = sizeof(from);
  int r = udp_local(&ra), s = udp_local(&sa);

  struct sender snd = {s, ra};
  double t0 = now_ms();
  pthread_t t = spawn(send_later, &snd);
  ssize_t n =
      SYS("recvfrom waits for the sender",
          recvfrom(r, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fromlen));
  printf("data: %.*s\n", (int)(n > 0 ? n : 0), buf);
  printf("from the sender's address: %s\n",
         yesno(fromlen == sizeof(from) && from.sin_port == sa.sin_port &&
               from.sin_addr.s_addr == sa.sin_addr.s_addr));
  printf("waited at least 40ms: %s\n", yesno(now_ms() - t0 >= 40));
  join(t);

  CHECK(sendto(s, "0123456789", 10, 0, (struct sockaddr *)&ra, sizeof(ra)) ==
        10);
  CHECK(sendto(s, "0123456789", 10, 0, (struct sockaddr *)&ra, sizeof(ra)) ==
        10);
  SYS("recvfrom into 4 bytes", recvfrom(r, buf, 4, 0, NULL, NULL));
  SYS("recvfrom into 4 bytes, MSG_TRUNC",
      recvfrom(r, buf, 4, MSG_TRUNC, NULL, NULL));
  SYS("recvfrom MSG_DONTWAIT, nothing there",
      recvfrom(r, buf, sizeof(buf), MSG_DONTWAIT, NULL, NULL));

  struct timeval tv = {0, 100000};
  CHECK(setsockopt(r, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0);
  struct ticker k;
  ticker_start(&k, 30);
  t0 = now_ms();
  SYS("recvfrom with a 100ms SO_RCVTIMEO",
      recvfrom(r, buf, sizeof(buf), 0, NULL, NULL));
  double dt = now_ms() - t0;
  printf("waited 90ms to 2s: %s\n", yesno(dt >= 90 && dt < 2000));
  printf("another thread ran meanwhile: %s\n", yesno(ticker_ran(&k)));
  return 0;
}
