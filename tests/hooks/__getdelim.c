/*
 * Description: __getdelim, what getline() becomes at -O2: glibc's
 * bits/stdio.h inlines getline(l, n, f) as __getdelim(l, n, '\n', f), so
 * this is the symbol optimised programs import.  On a stream over a pipe fed
 * by a writer thread: the first line waits 50 ms, a line in two pieces
 * 50 ms apart comes back whole, then -1 at end of file, errno left at 0.
 */
#include "snippet.h"

int main(void)
{
  start();
  struct feeder f = {.pieces = {"one\n", "tw", "o\n"}, .delays = {50, 10, 50}};
  FILE *in = feed(&f);
  char *line = NULL;
  size_t cap = 0;
  double t0 = now_ms();
  SYS("getline", getline(&line, &cap, in));
  printf("  line: %s", line);
  printf("  waited at least 40ms: %s\n", yesno(now_ms() - t0 >= 40));
  t0 = now_ms();
  SYS("getline, line in two pieces", getline(&line, &cap, in));
  printf("  line: %s", line);
  printf("  waited for the second piece: %s\n", yesno(now_ms() - t0 >= 40));
  errno = 0; /* the idiom that tells end of file from an error */
  SYS("getline at end of file", getline(&line, &cap, in));
  join(f.t);
  free(line);
  CHECK(fclose(in) == 0);
  return 0;
}
