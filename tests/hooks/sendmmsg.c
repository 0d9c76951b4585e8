/*
 * Description: sendmmsg(2).  Over UDP three datagrams go out in one call
 * and arrive in order.  On a Unix datagram socket whose peer's queue is full
 * a blocking sendmmsg of two waits until a reader thread (starting 50 ms
 * later) makes room and returns 2; MSG_DONTWAIT on the full queue gives
 * EAGAIN.
 */
#include "snippet.h"

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
  struct sockaddr_in ra, sa;
  int r = udp_local(&ra), s = udp_local(&sa);
  CHECK(connect(s, (struct sockaddr *)&ra, sizeof(ra)) == 0);
  const char *words[3] = {"alpha", "beta", "gamma"};
  struct iovec iov[3];
  struct mmsghdr v[3];
  memset(v, 0, sizeof(v));
  for (int i = 0; i < 3; i++) {
    iov[i] = (struct iovec){(void *)words[i], strlen(words[i])};
    v[i].msg_hdr.msg_iov = &iov[i];
    v[i].msg_hdr.msg_iovlen = 1;
  }
  SYS("sendmmsg of 3 over UDP", sendmmsg(s, v, 3, 0));
  printf("lengths: %u %u %u\n", v[0].msg_len, v[1].msg_len, v[2].msg_len);
  char buf[16];
  for (int i = 0; i < 3; i++) {
    ssize_t n = recv(r, buf, sizeof(buf), 0);
    printf("  got: %.*s\n", (int)(n > 0 ? n : 0), buf);
  }

  int u[2];
  CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, u) == 0);
  static char d[1000];
  int sent = 0;
  while (send(u[0], d, sizeof(d), MSG_DONTWAIT) == sizeof(d))
    sent++;
  printf("filled the queue: %s\n", yesno(errno == EAGAIN && sent > 0));
  struct iovec big[2] = {{d, sizeof(d)}, {d, sizeof(d)}};
  struct mmsghdr w[2];
  memset(w, 0, sizeof(w));
  for (int i = 0; i < 2; i++) {
    w[i].msg_hdr.msg_iov = &big[i];
    w[i].msg_hdr.msg_iovlen = 1;
  }
  SYS("sendmmsg MSG_DONTWAIT to a full queue",
      sendmmsg(u[0], w, 2, MSG_DONTWAIT));
  struct reader rd = {u[1], sent + 2, 0};
  double t0 = now_ms();
  pthread_t t = spawn(read_all, &rd);
  SYS("sendmmsg of 2 to a full queue", sendmmsg(u[0], w, 2, 0));
  printf("waited at least 40ms: %s\n", yesno(now_ms() - t0 >= 40));
  join(t);
  printf("reader got every datagram: %s\n", yesno(rd.got == sent + 2));
  return 0;
}
