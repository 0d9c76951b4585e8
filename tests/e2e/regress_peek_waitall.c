/*
 * Description: found in review of the drained hint (issue 5): see
 * tests/regress.bats.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>
static int c;
static void *late(void *a)
{
  (void)a;
  send(c, "abc", 3, 0);
  usleep(50000);
  send(c, "def", 3, 0);
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
  c = socket(AF_INET, SOCK_STREAM, 0);
  connect(c, (void *)&a, sizeof a);
  int s = accept(l, 0, 0);
  pthread_t t;
  pthread_create(&t, 0, late, 0);
  usleep(10000);
  char b[6];
  ssize_t n = recv(s, b, 6, MSG_PEEK | MSG_WAITALL);
  printf("recv(PEEK|WAITALL): %zd \"%.*s\"\n", n, (int)(n > 0 ? n : 0), b);
  n = recv(s, b, 6, 0);
  printf("recv: %zd \"%.*s\"\n", n, (int)(n > 0 ? n : 0), b);
  pthread_join(t, 0);
  return 0;
}
