/*
 * Description: connect(2) over loopback TCP.  A blocking connect to a
 * listening ephemeral port returns 0 (and again EISCONN); a non-blocking one
 * gives EINPROGRESS, then poll reports POLLOUT and SO_ERROR is 0.  To a port
 * nobody listens on: blocking ECONNREFUSED; non-blocking EINPROGRESS, then
 * SO_ERROR ECONNREFUSED.  A listener with a full backlog drops the SYN, so a
 * blocking connect really waits: with SO_SNDTIMEO 100ms it gives
 * EINPROGRESS after the timeout, and a second connect EALREADY.
 */
#include "snippet.h"
#include <poll.h>

static int so_error(int fd)
{
  int e = -1;
  socklen_t len = sizeof(e);
  CHECK(getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) == 0);
  return e;
}

int main(void)
{
  start();
  struct sockaddr_in addr;
  int l = listen_local(&addr);
  struct sockaddr *sa = (struct sockaddr *)&addr;

  int c = socket(AF_INET, SOCK_STREAM, 0);
  SYS("blocking connect to a listener", connect(c, sa, sizeof(addr)));
  SYS("connect again", connect(c, sa, sizeof(addr)));

  int n = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  SYS("non-blocking connect to a listener", connect(n, sa, sizeof(addr)));
  struct pollfd pfd = {n, POLLOUT, 0};
  SYS("poll for POLLOUT", poll(&pfd, 1, 2000));
  printf("revents POLLOUT: %s, SO_ERROR: %s\n", yesno(pfd.revents & POLLOUT),
         errname(so_error(n)));

  struct sockaddr_in dead;
  int d = listen_local(&dead);
  CHECK(close(d) == 0);
  int r = socket(AF_INET, SOCK_STREAM, 0);
  SYS("blocking connect, nobody listening",
      connect(r, (struct sockaddr *)&dead, sizeof(dead)));
  int rn = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  SYS("non-blocking connect, nobody listening",
      connect(rn, (struct sockaddr *)&dead, sizeof(dead)));
  pfd = (struct pollfd){rn, POLLOUT, 0};
  SYS("poll for POLLOUT", poll(&pfd, 1, 2000));
  printf("SO_ERROR: %s\n", errname(so_error(rn)));

  /* A fresh listener with backlog 0 holds one connection; the next SYN is
   * dropped. */
  l = listen_local(&addr);
  CHECK(listen(l, 0) == 0);
  int f1 = socket(AF_INET, SOCK_STREAM, 0);
  SYS("connect, filling the backlog", connect(f1, sa, sizeof(addr)));
  int w = socket(AF_INET, SOCK_STREAM, 0);
  struct timeval tv = {0, 100000};
  CHECK(setsockopt(w, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == 0);
  struct ticker k;
  ticker_start(&k, 30);
  double t0 = now_ms();
  SYS("blocking connect, backlog full, SO_SNDTIMEO 100ms",
      connect(w, sa, sizeof(addr)));
  double dt = now_ms() - t0;
  printf("waited 90ms to 2s: %s\n", yesno(dt >= 90 && dt < 2000));
  printf("another thread ran meanwhile: %s\n", yesno(ticker_ran(&k)));
  SYS("connect again while in progress", connect(w, sa, sizeof(addr)));
  return 0;
}
