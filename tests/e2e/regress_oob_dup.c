/*
 * Description: the urgent byte taken with recv(MSG_OOB) through a dup of
 * the socket, before the loop saw EPOLLPRI.  The read on the original fd
 * then stops at the mark ("ab"), looks drained, and the next read must
 * still get "de" (the first drained hint waited forever).  Two rounds:
 * the first wait after the dup gives the fd a new tag.  SO_RCVTIMEO (2 s)
 * turns a hang into EAGAIN.
 */
#include "e2e.h"

#include <pthread.h>
#include <sys/time.h>

static int c;

static void *late(void *arg)
{
  (void)arg;
  usleep(50 * 1000);
  CHECK(send(c, "x", 1, 0) == 1);
  return NULL;
}

static void rd(int fd)
{
  char b[100];
  ssize_t n = read(fd, b, sizeof(b));
  if (n < 0)
    printf("read: -1 %s\n", errname(errno));
  else
    printf("read: %zd \"%.*s\"\n", n, (int)n, b);
}

int main(void)
{
  start();
  int s = loopback_pair(&c);
  struct timeval tv = {2, 0};
  CHECK(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0);
  pthread_t t;
  CHECK(pthread_create(&t, NULL, late, NULL) == 0);
  rd(s); /* waits once: the loop now watches s */
  CHECK(pthread_join(t, NULL) == 0);
  int d = dup(s);
  CHECK(d >= 0);
  for (int round = 0; round < 2; round++) {
    CHECK(send(c, "ab", 2, 0) == 2);
    CHECK(send(c, "c", 1, MSG_OOB) == 1);
    CHECK(send(c, "de", 2, 0) == 2);
    char b;
    ssize_t n = recv(d, &b, 1, MSG_OOB);
    printf("recv(dup, MSG_OOB): %zd '%c'\n", n, n == 1 ? b : '?');
    rd(s);
    rd(s);
  }
  return 0;
}
