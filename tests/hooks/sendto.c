/*
 * Description: sendto(2).  UDP to an address: the datagram arrives, from
 * the sender's port; an unconnected UDP socket with no address gives
 * EDESTADDRREQ.  A Unix datagram socket whose peer's queue is full: a
 * blocking sendto waits until a reader thread (starting 50 ms later) takes
 * a datagram, while MSG_DONTWAIT gives EAGAIN.
 */
#include "snippet.h"
#include <stddef.h>
#include <sys/un.h>

struct reader {
  int fd;
  int want, got;
};

static void *read_all(void *arg)
{
  struct reader *r = arg;
  char b[1000];
  sleep_ms(50);
  while (r->got < r->want && recv(r->fd, b, sizeof(b), 0) == sizeof(b))
    r->got++;
  return NULL;
}

int main(void)
{
  start();
  char buf[64];
  struct sockaddr_in ra, sa, from;
  socklen_t fromlen = sizeof(from);
  int r = udp_local(&ra), s = udp_local(&sa);
  SYS("sendto over UDP",
      sendto(s, "hi", 2, 0, (struct sockaddr *)&ra, sizeof(ra)));
  ssize_t n =
      recvfrom(r, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fromlen);
  printf("received: %.*s from the sender's port: %s\n", (int)(n > 0 ? n : 0),
         buf, yesno(from.sin_port == sa.sin_port));
  SYS("sendto with no address, unconnected", sendto(s, "hi", 2, 0, NULL, 0));

  struct sockaddr_un ua = {.sun_family = AF_UNIX};
  snprintf(ua.sun_path + 1, sizeof(ua.sun_path) - 1, "ub-sendto-%d",
           (int)getpid());
  socklen_t ulen =
      offsetof(struct sockaddr_un, sun_path) + 1 + strlen(ua.sun_path + 1);
  int ur = socket(AF_UNIX, SOCK_DGRAM, 0), us = socket(AF_UNIX, SOCK_DGRAM, 0);
  CHECK(ur >= 0 && us >= 0 && bind(ur, (struct sockaddr *)&ua, ulen) == 0);
  static char d[1000];
  int sent = 0;
  while (sendto(us, d, sizeof(d), MSG_DONTWAIT, (struct sockaddr *)&ua, ulen) ==
         sizeof(d))
    sent++;
  printf("filled the queue: %s\n", yesno(errno == EAGAIN && sent > 0));
  SYS("sendto MSG_DONTWAIT to a full queue",
      sendto(us, d, sizeof(d), MSG_DONTWAIT, (struct sockaddr *)&ua, ulen));
  struct reader rd = {ur, sent + 1, 0};
  double t0 = now_ms();
  pthread_t t = spawn(read_all, &rd);
  SYS("sendto a full queue",
      sendto(us, d, sizeof(d), 0, (struct sockaddr *)&ua, ulen));
  printf("waited at least 40ms: %s\n", yesno(now_ms() - t0 >= 40));
  join(t);
  printf("reader got every datagram: %s\n", yesno(rd.got == sent + 1));
  return 0;
}
