/*
 * Description: socket(2): a plain TCP socket is blocking (no O_NONBLOCK in
 * F_GETFL), so a recv on it after connect waits for the peer (50 ms);
 * SOCK_NONBLOCK shows in F_GETFL and recv gives EAGAIN; SOCK_CLOEXEC shows
 * in F_GETFD; the fd is the lowest free number, like any new fd; an unknown
 * family EAFNOSUPPORT, an unknown type EINVAL.
 */
#include "snippet.h"

int main(void)
{
  start();
  struct sockaddr_in addr;
  int l = listen_local(&addr);
  int s =
      FD("socket(AF_INET, SOCK_STREAM, 0)", socket(AF_INET, SOCK_STREAM, 0));
  printf("O_NONBLOCK: %s, FD_CLOEXEC: %s\n",
         yesno(fcntl(s, F_GETFL) & O_NONBLOCK),
         yesno(fcntl(s, F_GETFD) & FD_CLOEXEC));
  CHECK(connect(s, (struct sockaddr *)&addr, sizeof(addr)) == 0);
  int a = accept(l, NULL, NULL);
  CHECK(a >= 0);
  struct later w = {a, "peer", 50, 0};
  double t0 = now_ms();
  pthread_t t = spawn(later_fn, &w);
  char buf[16];
  ssize_t n =
      SYS("recv on it waits for the peer", recv(s, buf, sizeof(buf), 0));
  printf("data: %.*s, waited at least 40ms: %s\n", (int)(n > 0 ? n : 0), buf,
         yesno(now_ms() - t0 >= 40));
  join(t);

  int nb = FD("socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)",
              socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  printf("O_NONBLOCK: %s, FD_CLOEXEC: %s\n",
         yesno(fcntl(nb, F_GETFL) & O_NONBLOCK),
         yesno(fcntl(nb, F_GETFD) & FD_CLOEXEC));
  CHECK(connect(nb, (struct sockaddr *)&addr, sizeof(addr)) == -1 &&
        errno == EINPROGRESS);
  struct pollfd pf = {nb, POLLOUT, 0};
  CHECK(poll(&pf, 1, 2000) == 1);
  SYS("recv on the non-blocking one", recv(nb, buf, sizeof(buf), 0));

  int u = FD("socket(AF_INET, SOCK_DGRAM, 0)", socket(AF_INET, SOCK_DGRAM, 0));
  CHECK(close(u) == 0);
  int again = socket(AF_UNIX, SOCK_STREAM, 0);
  printf("a new socket takes the lowest free number: %s\n", yesno(again == u));
  SYS("socket(12345, SOCK_STREAM, 0)", socket(12345, SOCK_STREAM, 0));
  SYS("socket(AF_INET, 12345, 0)", socket(AF_INET, 12345, 0));
  return 0;
}
