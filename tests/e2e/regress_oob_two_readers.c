/*
 * Description: two threads read one TCP socket; one segment run brings
 * "ab", the urgent byte "c" and "de".  The first reader stops at the
 * urgent mark: a short read that did not empty the socket, so it must
 * pass readiness on, or the second reader waits forever with "de" queued
 * (a bug of the first drained hint).  SO_RCVTIMEO (2 s) turns a hang into
 * EAGAIN.  The two results are printed in byte order, whichever thread
 * read them.
 */
#include "e2e.h"

#include <pthread.h>
#include <sys/time.h>

static int s;
static char got[2][64];

static void *reader(void *arg)
{
  char b[100];
  ssize_t n = read(s, b, sizeof(b));
  char *out = got[(long)arg];
  if (n < 0)
    snprintf(out, 64, "reader: -1 %s", errname(errno));
  else
    snprintf(out, 64, "reader: %zd \"%.*s\"", n, (int)n, b);
  return NULL;
}

int main(void)
{
  start();
  int c;
  s = loopback_pair(&c);
  struct timeval tv = {2, 0};
  CHECK(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0);
  pthread_t t[2];
  for (long i = 0; i < 2; i++)
    CHECK(pthread_create(&t[i], NULL, reader, (void *)i) == 0);
  usleep(100 * 1000); /* both readers wait */
  CHECK(send(c, "ab", 2, MSG_MORE) == 2);
  CHECK(send(c, "c", 1, MSG_OOB) == 1);
  CHECK(send(c, "de", 2, 0) == 2);
  for (int i = 0; i < 2; i++)
    CHECK(pthread_join(t[i], NULL) == 0);
  int first = strcmp(got[0], got[1]) <= 0 ? 0 : 1;
  printf("%s\n%s\n", got[first], got[1 - first]);
  return 0;
}
