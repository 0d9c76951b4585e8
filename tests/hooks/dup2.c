/*
 * Description: dup2(2) over an fd in use: the number first names an
 * O_NONBLOCK socket that a read has waited on; dup2 makes it name a blocking
 * pipe, and a read on it now waits for the pipe's writer thread (50 ms) and
 * returns the pipe's data, not the socket's.  The two numbers share
 * O_NONBLOCK; dup2(fd, fd) returns fd; a bad source or target is EBADF.
 */
#include "snippet.h"

int main(void)
{
  start();
  int s[2], p[2];
  char buf[16];
  CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, s) == 0);
  int x = s[0];
  struct pollfd pf = {x, POLLIN, 0};
  struct later w = {s[1], "socket", 50, 0};
  pthread_t t = spawn(later_fn, &w);
  CHECK(poll(&pf, 1, 2000) == 1);
  ssize_t n = SYS("read on the socket", read(x, buf, sizeof(buf)));
  join(t);
  CHECK(write(s[1], "stale", 5) == 5);

  CHECK(pipe(p) == 0);
  printf("dup2 returns the target: %s\n", yesno(dup2(p[0], x) == x));
  printf("F_GETFL of the target: %s\n", fl_str(x));
  w = (struct later){p[1], "pipe", 50, 0};
  double t0 = now_ms();
  t = spawn(later_fn, &w);
  n = SYS("read on the target waits for the pipe", read(x, buf, sizeof(buf)));
  printf("data: %.*s, waited at least 40ms: %s\n", (int)(n > 0 ? n : 0), buf,
         yesno(now_ms() - t0 >= 40));
  join(t);

  CHECK(fcntl(x, F_SETFL, O_NONBLOCK) == 0);
  printf("F_GETFL of the pipe's own fd: %s\n", fl_str(p[0]));
  SYS("read on the pipe's own fd", read(p[0], buf, sizeof(buf)));
  printf("dup2(fd, fd) returns fd: %s\n", yesno(dup2(x, x) == x));
  SYS("dup2 from a closed fd", dup2(-1, x));
  SYS("dup2 to -1", dup2(x, -1));
  return 0;
}
