/*
 * Description: splice(2) between a pipe and a socket.  Splicing from an
 * empty pipe waits for a writer thread (50 ms); splicing from an empty
 * socket into a pipe waits for a sender thread (50 ms); SPLICE_F_NONBLOCK
 * on an empty pipe gives EAGAIN, and two non-pipes EINVAL.
 */
#include "snippet.h"

int main(void)
{
  start();
  char buf[64];
  int p[2], s[2];
  CHECK(pipe(p) == 0);
  CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, s) == 0);

  struct later w = {p[1], "spliced", 50, 0};
  double t0 = now_ms();
  pthread_t t = spawn(later_fn, &w);
  SYS("splice from an empty pipe to a socket",
      splice(p[0], NULL, s[0], NULL, sizeof(buf), 0));
  printf("waited at least 40ms: %s\n", yesno(now_ms() - t0 >= 40));
  join(t);
  ssize_t n = read(s[1], buf, sizeof(buf));
  printf("socket got: %.*s\n", (int)(n > 0 ? n : 0), buf);

  struct later w2 = {s[1], "back", 50, 0};
  t0 = now_ms();
  t = spawn(later_fn, &w2);
  SYS("splice from an empty socket to a pipe",
      splice(s[0], NULL, p[1], NULL, sizeof(buf), 0));
  printf("waited at least 40ms: %s\n", yesno(now_ms() - t0 >= 40));
  join(t);
  n = read(p[0], buf, sizeof(buf));
  printf("pipe got: %.*s\n", (int)(n > 0 ? n : 0), buf);

  SYS("splice from an empty pipe, SPLICE_F_NONBLOCK",
      splice(p[0], NULL, s[0], NULL, sizeof(buf), SPLICE_F_NONBLOCK));
  SYS("splice between two sockets",
      splice(s[0], NULL, s[1], NULL, sizeof(buf), 0));
  CHECK(close(p[1]) == 0);
  SYS("splice from a pipe at end of file",
      splice(p[0], NULL, s[0], NULL, sizeof(buf), 0));
  return 0;
}
