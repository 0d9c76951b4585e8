/*
 * Description: accept(2) on a loopback listener: an accept that waits for a
 * client thread (which connects 50 ms later) and returns a blocking socket
 * with the client's address; on an O_NONBLOCK listener EAGAIN, and the
 * accepted socket is still blocking (Linux does not inherit O_NONBLOCK);
 * SO_RCVTIMEO expiry gives EAGAIN, and a socket accepted from that
 * listener inherits the timeout; shutdown() of the listener wakes an
 * accept blocked in another thread with EINVAL; ENOTSOCK on a pipe.
 */
#include "snippet.h"

static struct sockaddr_in addr;
static int lfd;

static void *client(void *arg)
{
  (void)arg;
  sleep_ms(50);
  int fd = connect_local(&addr);
  CHECK(write(fd, "hi", 2) == 2);
  CHECK(close(fd) == 0);
  return NULL;
}

static void *acceptor(void *arg)
{
  (void)arg;
  int r = accept(lfd, NULL, NULL);
  return (void *)(long)(r >= 0 ? 0 : errno);
}

int main(void)
{
  start();
  int l = listen_local(&addr);
  struct sockaddr_in peer;
  socklen_t plen = sizeof(peer);
  double t0 = now_ms();
  pthread_t t = spawn(client, NULL);
  int c = FD("accept waits for the client",
             accept(l, (struct sockaddr *)&peer, &plen));
  printf("waited at least 40ms: %s\n", yesno(now_ms() - t0 >= 40));
  printf("peer is 127.0.0.1: %s\n",
         yesno(plen == sizeof(peer) && peer.sin_family == AF_INET &&
               peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK)));
  join(t);
  char buf[16];
  ssize_t n = read(c, buf, sizeof(buf));
  printf("client sent: %.*s\n", (int)(n > 0 ? n : 0), buf);

  CHECK(fcntl(l, F_SETFL, O_NONBLOCK) == 0);
  SYS("accept on an O_NONBLOCK listener, nobody there", accept(l, NULL, NULL));
  int fd = connect_local(&addr);
  int a = accept(l, NULL, NULL);
  CHECK(a >= 0);
  printf("accepted socket has O_NONBLOCK: %s\n",
         yesno(fcntl(a, F_GETFL) & O_NONBLOCK));
  struct later w = {fd, "later", 50, 0};
  t = spawn(later_fn, &w);
  n = SYS("read on the accepted socket waits", read(a, buf, sizeof(buf)));
  printf("data: %.*s\n", (int)(n > 0 ? n : 0), buf);
  join(t);
  CHECK(fcntl(l, F_SETFL, 0) == 0);

  struct timeval tv = {0, 100000};
  CHECK(setsockopt(l, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0);
  struct ticker k;
  ticker_start(&k, 30);
  t0 = now_ms();
  SYS("accept with a 100ms SO_RCVTIMEO", accept(l, NULL, NULL));
  double dt = now_ms() - t0;
  printf("waited 90ms to 2s: %s\n", yesno(dt >= 90 && dt < 2000));
  printf("another thread ran meanwhile: %s\n", yesno(ticker_ran(&k)));

  /* A socket accepted from it has the same SO_RCVTIMEO (Linux copies it). */
  fd = connect_local(&addr);
  a = accept(l, NULL, NULL);
  CHECK(a >= 0);
  t0 = now_ms();
  SYS("read on a socket accepted from it, nothing sent", read(a, buf, 1));
  dt = now_ms() - t0;
  printf("waited 90ms to 2s: %s\n", yesno(dt >= 90 && dt < 2000));
  CHECK(close(a) == 0 && close(fd) == 0);

  lfd = listen_local(&addr);
  t = spawn(acceptor, NULL);
  sleep_ms(50);
  SYS("shutdown of the listener", shutdown(lfd, SHUT_RD));
  long e = (long)join(t);
  printf("the accept blocked in a thread: %s\n", e ? errname((int)e) : "an fd");
  int p[2];
  CHECK(pipe(p) == 0);
  SYS("accept on a pipe", accept(p[0], NULL, NULL));
  return 0;
}
