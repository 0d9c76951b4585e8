/*
 * Description: ioctl(2), the other way to set O_NONBLOCK.  FIONBIO 1 shows
 * in F_GETFL and makes a read give EAGAIN; FIONBIO 0 makes a read wait for a
 * writer thread (50 ms) again; FIONREAD counts the bytes waiting on a pipe
 * and on a socket; TIOCGWINSZ on a pipe is ENOTTY, any request on a closed
 * fd EBADF.
 */
#include "snippet.h"
#include <sys/ioctl.h>

int main(void)
{
  start();
  int p[2], on = 1, off = 0, avail = -1;
  char buf[16];
  CHECK(pipe(p) == 0);
  SYS("FIONBIO 1", ioctl(p[0], FIONBIO, &on));
  printf("F_GETFL: %s\n", fl_str(p[0]));
  SYS("read", read(p[0], buf, sizeof(buf)));
  SYS("FIONBIO 0", ioctl(p[0], FIONBIO, &off));
  printf("F_GETFL: %s\n", fl_str(p[0]));
  struct later w = {p[1], "hello", 50, 0};
  double t0 = now_ms();
  pthread_t t = spawn(later_fn, &w);
  SYS("read waits for the writer", read(p[0], buf, sizeof(buf)));
  printf("waited at least 40ms: %s\n", yesno(now_ms() - t0 >= 40));
  join(t);

  CHECK(write(p[1], "12345", 5) == 5);
  SYS("FIONREAD on the pipe", ioctl(p[0], FIONREAD, &avail));
  printf("bytes waiting: %d\n", avail);

  int s[2];
  tcp_pair(s);
  SYS("FIONBIO 1 on a socket", ioctl(s[0], FIONBIO, &on));
  SYS("recv", recv(s[0], buf, sizeof(buf), 0));
  CHECK(send(s[1], "abc", 3, 0) == 3);
  sleep_ms(20);
  SYS("FIONREAD on the socket", ioctl(s[0], FIONREAD, &avail));
  printf("bytes waiting: %d\n", avail);
  SYS("FIONBIO 0 on the socket", ioctl(s[0], FIONBIO, &off));
  CHECK(recv(s[0], buf, sizeof(buf), 0) == 3);
  w = (struct later){s[1], "late", 50, 0};
  t0 = now_ms();
  t = spawn(later_fn, &w);
  SYS("recv waits for the peer", recv(s[0], buf, sizeof(buf), 0));
  printf("waited at least 40ms: %s\n", yesno(now_ms() - t0 >= 40));
  join(t);

  struct winsize ws;
  SYS("TIOCGWINSZ on a pipe", ioctl(p[0], TIOCGWINSZ, &ws));
  CHECK(close(p[1]) == 0);
  SYS("FIONREAD on a closed fd", ioctl(p[1], FIONREAD, &avail));
  return 0;
}
