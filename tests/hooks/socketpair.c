/*
 * Description: socketpair(2): a Unix stream pair is blocking, so a read on
 * one end waits for a writer thread on the other (50 ms), and it carries
 * data both ways; SOCK_NONBLOCK makes both ends non-blocking (EAGAIN);
 * SOCK_DGRAM keeps message boundaries; AF_INET is EOPNOTSUPP.
 */
#include "snippet.h"

int main(void)
{
  start();
  int sv[2];
  SYS("socketpair(AF_UNIX, SOCK_STREAM)",
      socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
  printf("O_NONBLOCK: %s %s\n", yesno(fcntl(sv[0], F_GETFL) & O_NONBLOCK),
         yesno(fcntl(sv[1], F_GETFL) & O_NONBLOCK));
  struct later w = {sv[1], "there", 50, 0};
  double t0 = now_ms();
  pthread_t t = spawn(later_fn, &w);
  char buf[16];
  ssize_t n =
      SYS("read waits for the other end", read(sv[0], buf, sizeof(buf)));
  printf("data: %.*s, waited at least 40ms: %s\n", (int)(n > 0 ? n : 0), buf,
         yesno(now_ms() - t0 >= 40));
  join(t);
  CHECK(write(sv[0], "back", 4) == 4);
  n = SYS("and back", read(sv[1], buf, sizeof(buf)));
  printf("data: %.*s\n", (int)(n > 0 ? n : 0), buf);

  int nb[2];
  SYS("socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK)",
      socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, nb));
  SYS("read on either end", read(nb[0], buf, sizeof(buf)));
  SYS("read on the other", read(nb[1], buf, sizeof(buf)));

  int dg[2];
  SYS("socketpair(AF_UNIX, SOCK_DGRAM)",
      socketpair(AF_UNIX, SOCK_DGRAM, 0, dg));
  CHECK(write(dg[0], "one", 3) == 3 && write(dg[0], "two", 3) == 3);
  SYS("first datagram", read(dg[1], buf, sizeof(buf)));
  SYS("second datagram", read(dg[1], buf, sizeof(buf)));
  SYS("socketpair(AF_INET, SOCK_STREAM)",
      socketpair(AF_INET, SOCK_STREAM, 0, dg));
  return 0;
}
