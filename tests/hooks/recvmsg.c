/*
 * Description: recvmsg(2) on a Unix stream socket: a recvmsg that waits for
 * a sender thread (50 ms) which passes an fd with SCM_RIGHTS; the data, the
 * received fd (readable, and a new number), the flags; a scatter read into
 * two buffers; MSG_DONTWAIT (EAGAIN); end of stream.
 */
#include "snippet.h"
#include <sys/uio.h>

static int sock;
static int passed[2];

static void *send_fd(void *arg)
{
  (void)arg;
  sleep_ms(50);
  char cbuf[CMSG_SPACE(sizeof(int))];
  memset(cbuf, 0, sizeof(cbuf));
  struct iovec iov = {"fd!", 3};
  struct msghdr m = {0};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  m.msg_control = cbuf;
  m.msg_controllen = sizeof(cbuf);
  struct cmsghdr *c = CMSG_FIRSTHDR(&m);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &passed[0], sizeof(int));
  CHECK(sendmsg(sock, &m, 0) == 3);
  return NULL;
}

int main(void)
{
  start();
  int s[2];
  CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, s) == 0);
  CHECK(pipe(passed) == 0);
  CHECK(write(passed[1], "through the passed fd", 21) == 21);
  sock = s[1];

  char data[16], cbuf[CMSG_SPACE(sizeof(int))];
  struct iovec iov = {data, sizeof(data)};
  struct msghdr m = {0};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  m.msg_control = cbuf;
  m.msg_controllen = sizeof(cbuf);
  double t0 = now_ms();
  pthread_t t = spawn(send_fd, NULL);
  ssize_t n = SYS("recvmsg waits for the sender", recvmsg(s[0], &m, 0));
  printf("waited at least 40ms: %s\n", yesno(now_ms() - t0 >= 40));
  join(t);
  printf("data: %.*s, flags: %d\n", (int)(n > 0 ? n : 0), data, m.msg_flags);
  struct cmsghdr *c = CMSG_FIRSTHDR(&m);
  CHECK(c != NULL && c->cmsg_type == SCM_RIGHTS);
  int fd;
  memcpy(&fd, CMSG_DATA(c), sizeof(int));
  printf("got a new fd number: %s\n", yesno(fd != passed[0]));
  char buf[64];
  n = read(fd, buf, sizeof(buf));
  printf("read through it: %.*s\n", (int)(n > 0 ? n : 0), buf);

  char a[3], b[8];
  struct iovec two[2] = {{a, sizeof(a)}, {b, sizeof(b)}};
  struct msghdr m2 = {0};
  m2.msg_iov = two;
  m2.msg_iovlen = 2;
  CHECK(write(s[1], "scattered", 9) == 9);
  n = SYS("recvmsg into two buffers", recvmsg(s[0], &m2, 0));
  printf("first: %.3s second: %.*s\n", a, (int)(n > 3 ? n - 3 : 0), b);
  SYS("recvmsg MSG_DONTWAIT, nothing there", recvmsg(s[0], &m2, MSG_DONTWAIT));
  CHECK(close(s[1]) == 0);
  SYS("recvmsg at end of stream", recvmsg(s[0], &m2, 0));
  return 0;
}
