/*
 * Description: read(2) on a pipe, the way blocking programs use it: a read
 * that waits for a writer thread (which sleeps 50 ms first), a short read,
 * end of file, EAGAIN on a pipe the program made O_NONBLOCK, EBADF, and a
 * read interrupted by SIGALRM: without SA_RESTART it fails with EINTR, with
 * SA_RESTART it is restarted and returns the data that arrives later.
 */
#include "snippet.h"

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
  (void)sig;
  alarms++;
}

int main(void)
{
  start();
  char buf[64];
  int p[2];
  CHECK(pipe(p) == 0);

  struct later w = {p[1], "hello", 50, 0};
  double t0 = now_ms();
  pthread_t t = spawn(later_fn, &w);
  ssize_t n = SYS("read waits for the writer", read(p[0], buf, sizeof(buf)));
  printf("data: %.*s\n", (int)(n > 0 ? n : 0), buf);
  printf("waited at least 40ms: %s\n", yesno(now_ms() - t0 >= 40));
  join(t);

  CHECK(write(p[1], "abcdef", 6) == 6);
  SYS("read 2 of 6 bytes", read(p[0], buf, 2));
  n = SYS("read the other 4", read(p[0], buf, sizeof(buf)));
  printf("data: %.*s\n", (int)(n > 0 ? n : 0), buf);

  CHECK(fcntl(p[0], F_SETFL, O_NONBLOCK) == 0);
  SYS("read of an empty O_NONBLOCK pipe", read(p[0], buf, sizeof(buf)));
  CHECK(fcntl(p[0], F_SETFL, 0) == 0);

  /* SIGALRM goes to the main thread, which is the one blocked in read. */
  on_signal(SIGALRM, on_alarm, 0);
  alarm_ms(50);
  SYS("read interrupted, no SA_RESTART", read(p[0], buf, sizeof(buf)));
  printf("handler calls: %d\n", (int)alarms);

  on_signal(SIGALRM, on_alarm, SA_RESTART);
  struct later w2 = {p[1], "late", 150, 1};
  t = spawn(later_fn, &w2);
  alarm_ms(50);
  n = SYS("read interrupted, SA_RESTART", read(p[0], buf, sizeof(buf)));
  printf("data: %.*s\n", (int)(n > 0 ? n : 0), buf);
  printf("handler calls: %d\n", (int)alarms);
  join(t);

  SYS("read at end of file", read(p[0], buf, sizeof(buf)));
  CHECK(close(p[0]) == 0);
  SYS("read of a closed fd", read(p[0], buf, sizeof(buf)));

  int z = open("/dev/zero", O_RDONLY);
  CHECK(z >= 0);
  SYS("read of /dev/zero", read(z, buf, 8));
  CHECK(close(z) == 0);
  return 0;
}
