/*
 * Description: pipe2(2): flags 0 is a blocking pipe whose read waits for a
 * writer thread (50 ms); O_NONBLOCK shows in F_GETFL on both ends and an
 * empty read gives EAGAIN; O_CLOEXEC shows in F_GETFD; O_DIRECT makes a
 * packet pipe that keeps write boundaries; unknown flags EINVAL.
 */
#include "snippet.h"

int main(void)
{
  start();
  int p[2];
  char buf[16];
  SYS("pipe2(0)", pipe2(p, 0));
  struct later w = {p[1], "blocking", 50, 0};
  double t0 = now_ms();
  pthread_t t = spawn(later_fn, &w);
  ssize_t n = SYS("read waits for the writer", read(p[0], buf, sizeof(buf)));
  printf("data: %.*s, waited at least 40ms: %s\n", (int)(n > 0 ? n : 0), buf,
         yesno(now_ms() - t0 >= 40));
  join(t);

  int q[2];
  SYS("pipe2(O_NONBLOCK | O_CLOEXEC)", pipe2(q, O_NONBLOCK | O_CLOEXEC));
  printf("O_NONBLOCK: %s %s, FD_CLOEXEC: %s %s\n",
         yesno(fcntl(q[0], F_GETFL) & O_NONBLOCK),
         yesno(fcntl(q[1], F_GETFL) & O_NONBLOCK),
         yesno(fcntl(q[0], F_GETFD) & FD_CLOEXEC),
         yesno(fcntl(q[1], F_GETFD) & FD_CLOEXEC));
  SYS("read of the empty pipe", read(q[0], buf, sizeof(buf)));

  int d[2];
  SYS("pipe2(O_DIRECT)", pipe2(d, O_DIRECT));
  CHECK(write(d[1], "abc", 3) == 3 && write(d[1], "de", 2) == 2);
  SYS("first packet", read(d[0], buf, sizeof(buf)));
  SYS("second packet", read(d[0], buf, sizeof(buf)));
  SYS("pipe2(0x40000000)", pipe2(d, 0x40000000));
  return 0;
}
