/*
 * Description: dup3(2): over an fd that named an O_NONBLOCK socket, dup3 of
 * a blocking pipe makes a read on that number wait for the pipe's writer
 * thread (50 ms); O_CLOEXEC shows in F_GETFD, flags 0 leaves it clear; the
 * same fd twice is EINVAL, unknown flags EINVAL, a bad source EBADF.
 */
#include "snippet.h"

int main(void)
{
  start();
  int s[2], p[2];
  char buf[16];
  CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, s) == 0);
  int x = s[0];
  SYS("read on the O_NONBLOCK socket", read(x, buf, sizeof(buf)));
  CHECK(pipe(p) == 0);

  printf("dup3(O_CLOEXEC) returns the target: %s\n",
         yesno(dup3(p[0], x, O_CLOEXEC) == x));
  printf("F_GETFL: %s, FD_CLOEXEC: %s\n", fl_str(x),
         yesno(fcntl(x, F_GETFD) & FD_CLOEXEC));
  struct later w = {p[1], "pipe", 50, 0};
  double t0 = now_ms();
  pthread_t t = spawn(later_fn, &w);
  ssize_t n = SYS("read on the target waits", read(x, buf, sizeof(buf)));
  printf("data: %.*s, waited at least 40ms: %s\n", (int)(n > 0 ? n : 0), buf,
         yesno(now_ms() - t0 >= 40));
  join(t);

  printf("dup3(0) returns the target: %s\n", yesno(dup3(s[1], x, 0) == x));
  printf("F_GETFL: %s, FD_CLOEXEC: %s\n", fl_str(x),
         yesno(fcntl(x, F_GETFD) & FD_CLOEXEC));
  SYS("dup3(fd, fd, 0)", dup3(x, x, 0));
  SYS("dup3 with unknown flags", dup3(p[0], x, 0x40000000));
  SYS("dup3 from -1", dup3(-1, x, 0));
  return 0;
}
