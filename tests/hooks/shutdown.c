/*
 * Description: shutdown(2).  SHUT_RD on a TCP socket wakes a recv blocked in
 * another thread with 0; on a Unix socket too.  SHUT_WR half-closes: the
 * peer reads end of stream yet can still answer, and our own send then
 * gives EPIPE (MSG_NOSIGNAL).  An unconnected socket is ENOTCONN, a pipe
 * ENOTSOCK, a bad `how` EINVAL.
 */
#include "snippet.h"

static int sock;

static void *receiver(void *arg)
{
  (void)arg;
  char b[8];
  return (void *)recv(sock, b, sizeof(b), 0);
}

int main(void)
{
  start();
  int s[2], u[2];
  tcp_pair(s);
  sock = s[0];
  pthread_t t = spawn(receiver, NULL);
  sleep_ms(50);
  SYS("SHUT_RD, TCP, a recv blocked in another thread",
      shutdown(s[0], SHUT_RD));
  printf("the blocked recv returned %ld\n", (long)join(t));

  CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, u) == 0);
  sock = u[0];
  t = spawn(receiver, NULL);
  sleep_ms(50);
  SYS("SHUT_RDWR, Unix, a recv blocked in another thread",
      shutdown(u[0], SHUT_RDWR));
  printf("the blocked recv returned %ld\n", (long)join(t));

  int h[2];
  tcp_pair(h);
  char buf[16];
  SYS("SHUT_WR", shutdown(h[0], SHUT_WR));
  SYS("the peer reads end of stream", recv(h[1], buf, sizeof(buf), 0));
  CHECK(send(h[1], "answer", 6, 0) == 6);
  ssize_t n = SYS("and can still answer", recv(h[0], buf, sizeof(buf), 0));
  printf("data: %.*s\n", (int)(n > 0 ? n : 0), buf);
  SYS("send after SHUT_WR", send(h[0], "x", 1, MSG_NOSIGNAL));

  int lone = socket(AF_INET, SOCK_STREAM, 0);
  SYS("unconnected socket", shutdown(lone, SHUT_RDWR));
  int p[2];
  CHECK(pipe(p) == 0);
  SYS("a pipe", shutdown(p[0], SHUT_RD));
  SYS("how 5", shutdown(h[0], 5));
  return 0;
}
