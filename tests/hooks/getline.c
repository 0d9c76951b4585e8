/*
 * Description: getline(3) on a stream over a pipe fed by a writer thread.
 * glibc's header inlines getline into __getdelim at -O2, so it is called
 * through a pointer here to reach getline itself (what -O0 code calls; see
 * __getdelim.c for the inlined form).  The first line waits 50 ms; a
 * 10000-byte line, longer than the stream's buffer, arrives in two halves
 * 50 ms apart and comes back whole; a last line without newline; then -1
 * at end of file, with errno left at 0 (so an error can be told apart).
 */
#include "snippet.h"

static ssize_t (*volatile gl)(char **, size_t *, FILE *) = getline;

int main(void)
{
  start();
  static char half[5001];
  memset(half, 'x', 5000);
  struct feeder f = {.pieces = {"hello\n", half, half, "\nno newline"},
                     .delays = {50, 10, 50, 10}};
  FILE *in = feed(&f);
  char *line = NULL;
  size_t cap = 0;
  double t0 = now_ms();
  ssize_t n = SYS("getline", gl(&line, &cap, in));
  printf("  line: %s", line);
  printf("  waited at least 40ms: %s\n", yesno(now_ms() - t0 >= 40));
  n = SYS("getline, 10000 bytes in two halves", gl(&line, &cap, in));
  int xs = 0;
  for (ssize_t i = 0; i < n; i++)
    xs += line[i] == 'x';
  printf("  x: %d, ends in newline: %s\n", xs,
         yesno(n > 0 && line[n - 1] == '\n'));
  n = SYS("getline, last line", gl(&line, &cap, in));
  printf("  line: %s\n", line);
  errno = 0; /* the idiom that tells end of file from an error */
  SYS("getline at end of file", gl(&line, &cap, in));
  printf("feof: %s\n", yesno(feof(in)));
  join(f.t);
  free(line);
  CHECK(fclose(in) == 0);
  return 0;
}
