/*
 * Description: dup(2): the copy takes the lowest free number and shares the
 * open file description.  A read on the copy waits for a writer thread
 * (50 ms); O_NONBLOCK set through the original shows through the copy (read
 * gives EAGAIN), and cleared through the copy makes the original block again
 * (a read waits for the writer); FD_CLOEXEC is not copied; once the original
 * is closed the copy still works; a bad fd is EBADF.
 */
#include "snippet.h"

int main(void)
{
  start();
  int p[2];
  CHECK(pipe2(p, O_CLOEXEC) == 0);
  int expect = lowest_free_fd();
  int d = FD("dup of the read end", dup(p[0]));
  printf("lowest free number: %s, FD_CLOEXEC copied: %s\n", yesno(d == expect),
         yesno(fcntl(d, F_GETFD) & FD_CLOEXEC));

  char buf[16];
  struct later w = {p[1], "via dup", 50, 0};
  double t0 = now_ms();
  pthread_t t = spawn(later_fn, &w);
  ssize_t n = SYS("read on the copy waits", read(d, buf, sizeof(buf)));
  printf("data: %.*s, waited at least 40ms: %s\n", (int)(n > 0 ? n : 0), buf,
         yesno(now_ms() - t0 >= 40));
  join(t);

  CHECK(fcntl(p[0], F_SETFL, O_NONBLOCK) == 0);
  printf("F_GETFL of the copy: %s\n", fl_str(d));
  SYS("read on the copy", read(d, buf, sizeof(buf)));
  CHECK(fcntl(d, F_SETFL, 0) == 0);
  printf("F_GETFL of the original: %s\n", fl_str(p[0]));
  w = (struct later){p[1], "blocking again", 50, 0};
  t0 = now_ms();
  t = spawn(later_fn, &w);
  n = SYS("read on the original waits", read(p[0], buf, sizeof(buf)));
  printf("data: %.*s, waited at least 40ms: %s\n", (int)(n > 0 ? n : 0), buf,
         yesno(now_ms() - t0 >= 40));
  join(t);

  CHECK(close(p[0]) == 0);
  w = (struct later){p[1], "still", 50, 1};
  t = spawn(later_fn, &w);
  n = SYS("read on the copy, original closed", read(d, buf, sizeof(buf)));
  printf("data: %.*s\n", (int)(n > 0 ? n : 0), buf);
  join(t);
  SYS("read at end of file", read(d, buf, sizeof(buf)));
  SYS("dup(-1)", dup(-1));
  SYS("dup of a closed fd", dup(p[0]));
  return 0;
}
