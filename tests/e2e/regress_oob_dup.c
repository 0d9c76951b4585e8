/*
 * Description: found in review of the drained hint (issue 5): see
 * tests/regress.bats.
 */
// Urgent byte taken through a dup'd fd in the same process: the read on the
// original fd stops at the mark, looks drained, and the next read parks.
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
static int c;
static void *late(void *a)
{
  (void)a;
  usleep(50000);
  send(c, "x", 1, 0);
  return 0;
}
static void rd(int fd, const char *what)
{
  char b[100];
  ssize_t n = read(fd, b, sizeof b);
  if (n < 0)
    printf("%s: -1 %s\n", what, strerror(errno));
  else
    printf("%s: %zd \"%.*s\"\n", what, n, (int)n, b);
  fflush(stdout);
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
  c = socket(AF_INET, SOCK_STREAM, 0);
  connect(c, (void *)&a, sizeof a);
  int s = accept(l, 0, 0);
  struct timeval tv = {2, 0};
  setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);

  pthread_t t;
  pthread_create(&t, 0, late, 0);
  rd(s, "read"); /* parks once: the loop now watches s */
  pthread_join(t, 0);
  int d = dup(s);
  for (int round = 0; round < 2; round++) {
    send(c, "ab", 2, 0);
    send(c, "c", 1, MSG_OOB);
    send(c, "de", 2, 0);
    char b;
    ssize_t n = recv(d, &b, 1, MSG_OOB); /* the urgent byte, via the dup */
    printf("recv(dup, MSG_OOB): %zd '%c'\n", n, n == 1 ? b : '?');
    rd(s, "read");
    rd(s, "read");
  }
  return 0;
}
