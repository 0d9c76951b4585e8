/*
 * Description: fgets(3) on a stream over a pipe, whose bytes a writer thread
 * sends in pieces.  The first fgets waits 50 ms for its line; a line that
 * arrives in two pieces 150 ms apart is returned whole (wide enough for
 * memcheck's slowness); lines already in the
 * buffer come back at once; a short buffer splits a line; at end of file
 * NULL with feof.  On an O_NONBLOCK pipe with nothing in it: NULL, errno
 * EAGAIN, ferror.  Interrupted by a SIGALRM handler without SA_RESTART:
 * NULL, errno EINTR.
 */
#include "snippet.h"

static void on_alarm(int sig)
{
  (void)sig;
}

int main(void)
{
  start();
  struct feeder f = {
      .pieces = {"first line\n", "second ", "line\nthird\nfour", "th line\n"},
      .delays = {50, 150, 150, 50}};
  FILE *in = feed(&f);
  char buf[64], small[6];
  double t0 = now_ms();
  printf("fgets: %s", fgets(buf, sizeof(buf), in));
  printf("  waited at least 40ms: %s\n", yesno(now_ms() - t0 >= 40));
  t0 = now_ms();
  printf("fgets, line in two pieces: %s", fgets(buf, sizeof(buf), in));
  printf("  waited for the second piece: %s\n", yesno(now_ms() - t0 >= 90));
  t0 = now_ms();
  printf("fgets, already buffered: %s", fgets(buf, sizeof(buf), in));
  printf("  at once: %s\n", yesno(now_ms() - t0 < 40));
  printf("fgets into 6 bytes: [%s]\n", fgets(small, sizeof(small), in));
  printf("fgets the rest: %s", fgets(buf, sizeof(buf), in));
  char *r = fgets(buf, sizeof(buf), in);
  printf("fgets at end of file: %s, feof: %s\n", r == NULL ? "NULL" : "a line",
         yesno(feof(in)));
  join(f.t);
  CHECK(fclose(in) == 0);

  int p[2];
  CHECK(pipe2(p, O_NONBLOCK) == 0);
  in = fdopen(p[0], "r");
  errno = 0;
  r = fgets(buf, sizeof(buf), in);
  printf("O_NONBLOCK, empty: %s, errno %s, ferror: %s\n", r ? "a line" : "NULL",
         errname(errno), yesno(ferror(in)));
  CHECK(fclose(in) == 0 && close(p[1]) == 0);

  CHECK(pipe(p) == 0);
  in = fdopen(p[0], "r");
  on_signal(SIGALRM, on_alarm, 0);
  alarm_ms(50);
  errno = 0;
  r = fgets(buf, sizeof(buf), in);
  printf("interrupted, no SA_RESTART: %s, errno %s\n", r ? "a line" : "NULL",
         errname(errno));
  return 0;
}
