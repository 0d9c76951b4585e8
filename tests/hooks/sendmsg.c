/*
 * Description: sendmsg(2) on a Unix stream socket: a gathered send of
 * 2 x 150000 bytes from a blocking program waits for a reader thread
 * (starting 50 ms later) and returns the full count, in order; an fd passed
 * with SCM_RIGHTS arrives and works; on a full socket MSG_DONTWAIT gives
 * EAGAIN; after shutdown(SHUT_WR), MSG_NOSIGNAL gives EPIPE.
 */
#include "snippet.h"
#include <sys/uio.h>

#define HALF 150000

struct drain {
  int fd;
  long total;
  int intact;
};

static void *drain(void *arg)
{
  struct drain *d = arg;
  static char b[8192];
  ssize_t n;
  sleep_ms(50);
  d->intact = 1;
  while (d->total < 2 * HALF && (n = read(d->fd, b, sizeof(b))) > 0) {
    for (ssize_t i = 0; i < n; i++)
      if (b[i] != "xy"[(d->total + i) / HALF])
        d->intact = 0;
    d->total += n;
  }
  return NULL;
}

int main(void)
{
  start();
  static char x[HALF], y[HALF];
  memset(x, 'x', HALF);
  memset(y, 'y', HALF);
  struct iovec iov[2] = {{x, HALF}, {y, HALF}};
  struct msghdr m = {0};
  m.msg_iov = iov;
  m.msg_iovlen = 2;
  int s[2], small = 16384;
  CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, s) == 0);
  CHECK(setsockopt(s[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)) == 0);

  struct drain d = {s[1], 0, 0};
  double t0 = now_ms();
  pthread_t t = spawn(drain, &d);
  SYS("sendmsg of 2 x 150000 bytes", sendmsg(s[0], &m, 0));
  printf("waited at least 40ms: %s\n", yesno(now_ms() - t0 >= 40));
  join(t);
  printf("reader got %ld bytes in order: %s\n", d.total, yesno(d.intact));

  int p[2];
  CHECK(pipe(p) == 0);
  char cbuf[CMSG_SPACE(sizeof(int))];
  memset(cbuf, 0, sizeof(cbuf));
  struct iovec one = {"fd", 2};
  struct msghdr fm = {0};
  fm.msg_iov = &one;
  fm.msg_iovlen = 1;
  fm.msg_control = cbuf;
  fm.msg_controllen = sizeof(cbuf);
  struct cmsghdr *c = CMSG_FIRSTHDR(&fm);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &p[1], sizeof(int));
  SYS("sendmsg with SCM_RIGHTS", sendmsg(s[0], &fm, 0));
  char rbuf[CMSG_SPACE(sizeof(int))], data[4];
  struct iovec rio = {data, sizeof(data)};
  struct msghdr rm = {0};
  rm.msg_iov = &rio;
  rm.msg_iovlen = 1;
  rm.msg_control = rbuf;
  rm.msg_controllen = sizeof(rbuf);
  CHECK(recvmsg(s[1], &rm, 0) == 2);
  int fd;
  memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&rm)), sizeof(int));
  CHECK(write(fd, "via passed fd", 13) == 13);
  char buf[32];
  ssize_t n = read(p[0], buf, sizeof(buf));
  printf("pipe got: %.*s\n", (int)(n > 0 ? n : 0), buf);

  CHECK(setsockopt(s[1], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)) == 0);
  while (send(s[1], x, 4096, MSG_DONTWAIT) > 0)
    ;
  m.msg_iovlen = 1;
  iov[0].iov_len = 100;
  SYS("sendmsg MSG_DONTWAIT when full", sendmsg(s[1], &m, MSG_DONTWAIT));
  CHECK(shutdown(s[0], SHUT_WR) == 0);
  SYS("sendmsg after shutdown(SHUT_WR), MSG_NOSIGNAL",
      sendmsg(s[0], &m, MSG_NOSIGNAL));
  return 0;
}
