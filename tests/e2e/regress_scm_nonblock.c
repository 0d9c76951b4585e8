/* Regression test, found in review: see tests/regress.bats. */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wunused-variable"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
int main(void)
{
  int sv[2], p[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  pipe(p);
  /* send p[0] to ourselves: q shares p[0]'s open file description */
  char c = 'x', cbuf[CMSG_SPACE(sizeof(int))];
  struct iovec v = {&c, 1};
  struct msghdr m = {.msg_iov = &v,
                     .msg_iovlen = 1,
                     .msg_control = cbuf,
                     .msg_controllen = sizeof cbuf};
  struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cm), &p[0], sizeof(int));
  sendmsg(sv[0], &m, 0);
  recvmsg(sv[1], &m, 0);
  int q;
  memcpy(&q, CMSG_DATA(CMSG_FIRSTHDR(&m)), sizeof(int));
  write(p[1], "1", 1);
  char b;
  printf("read(q) = %zd\n", read(q, &b, 1)); /* q is blocking: 1 */
  fcntl(p[0], F_SETFL, O_NONBLOCK);          /* same description as q */
  printf("F_GETFL(q) has O_NONBLOCK: %d\n", !!(fcntl(q, F_GETFL) & O_NONBLOCK));
  fflush(stdout);
  ssize_t r = read(q, &b, 1); /* empty pipe */
  printf("read(q) on empty pipe = %zd (%s)\n", r, r < 0 ? strerror(errno) : "");
  return 0;
}
