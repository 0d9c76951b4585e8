/*
 * Description: found in review of the drained hint (issue 5): see
 * tests/regress.bats.
 */
// Two readers parked on one TCP socket; one edge brings "ab", an urgent
// byte and "de".  The first reader stops at the mark (a short read that is
// not a drained one) and, under the hint, returns without passing
// readiness on: the second reader stays parked with "de" queued.
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
static int s;
static char got[2][128];
static void *reader(void *a)
{
  char b[100];
  ssize_t n = read(s, b, sizeof b);
  char *out = got[(long)a];
  if (n < 0)
    snprintf(out, 128, "reader: -1 %s", strerror(errno));
  else
    snprintf(out, 128, "reader: %zd \"%.*s\"", n, (int)n, b);
  return 0;
}
int main(void)
{
  int l = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET,
                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t al = sizeof a;
  bind(l, (void *)&a, sizeof a);
  listen(l, 1);
  getsockname(l, (void *)&a, &al);
  int c = socket(AF_INET, SOCK_STREAM, 0);
  connect(c, (void *)&a, sizeof a);
  s = accept(l, 0, 0);
  struct timeval tv = {2, 0};
  setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  pthread_t t[2];
  for (long i = 0; i < 2; i++)
    pthread_create(&t[i], 0, reader, (void *)i);
  usleep(100000); /* both readers parked */
  send(c, "ab", 2, MSG_MORE);
  send(c, "c", 1, MSG_OOB); /* ab + urgent c */
  send(c, "de", 2, 0);
  for (int i = 0; i < 2; i++)
    pthread_join(t[i], 0);
  /* In the order of the bytes, whichever thread read them. */
  int first = strcmp(got[0], got[1]) <= 0 ? 0 : 1;
  printf("%s\n%s\n", got[first], got[1 - first]);
  return 0;
}
