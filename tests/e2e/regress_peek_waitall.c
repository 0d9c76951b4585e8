/*
 * Description: recv(MSG_PEEK | MSG_WAITALL) of 6 bytes on TCP while only
 * "abc" is queued waits for "def" and peeks all six once; the recv after
 * it reads the same six.  (unblock once continued the peek into the rest
 * of the buffer: "abcabc", before "def" came.)  Then the same through
 * recvmsg, into two buffers.
 */
#include "e2e.h"

#include <pthread.h>
#include <sys/time.h>

static int c;

/* Sends half, then (50 ms later) the other half. */
static void *late(void *arg)
{
  const char *six = arg;
  CHECK(send(c, six, 3, 0) == 3);
  usleep(50 * 1000);
  CHECK(send(c, six + 3, 3, 0) == 3);
  return NULL;
}

int main(void)
{
  start();
  int s = loopback_pair(&c);
  pthread_t t;
  CHECK(pthread_create(&t, NULL, late, "abcdef") == 0);
  usleep(10 * 1000);
  char b[6];
  ssize_t n = recv(s, b, sizeof(b), MSG_PEEK | MSG_WAITALL);
  printf("recv(PEEK|WAITALL): %zd \"%.*s\"\n", n, (int)(n > 0 ? n : 0), b);
  n = recv(s, b, sizeof(b), 0);
  printf("recv: %zd \"%.*s\"\n", n, (int)(n > 0 ? n : 0), b);
  CHECK(pthread_join(t, NULL) == 0);

  /* The same through recvmsg, into two buffers. */
  CHECK(pthread_create(&t, NULL, late, "ghijkl") == 0);
  usleep(10 * 1000);
  char x[2], y[4];
  struct iovec v[2] = {{x, sizeof(x)}, {y, sizeof(y)}};
  struct msghdr m = {.msg_iov = v, .msg_iovlen = 2};
  n = recvmsg(s, &m, MSG_PEEK | MSG_WAITALL);
  printf("recvmsg(PEEK|WAITALL): %zd \"%.2s\" \"%.4s\"\n", n, x, y);
  CHECK(pthread_join(t, NULL) == 0);
  return 0;
}
