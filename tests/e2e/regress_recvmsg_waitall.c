/* Regression test, found in review: see tests/regress.bats. */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wunused-variable"
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
static int sv[2];
static void *wr(void *a)
{
  write(sv[1], "ab", 2);
  usleep(100000);
  write(sv[1], "cd", 2);
  return 0;
}
int main(void)
{
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  pthread_t t;
  pthread_create(&t, 0, wr, 0);
  char buf[8] = {0};
  struct iovec v = {buf, 4};
  struct msghdr m = {.msg_iov = &v, .msg_iovlen = 1};
  ssize_t r = recvmsg(sv[0], &m, MSG_WAITALL);
  printf("recvmsg(MSG_WAITALL, 4) = %zd \"%s\"\n", r, buf);
  pthread_join(t, 0);
  return 0;
}
