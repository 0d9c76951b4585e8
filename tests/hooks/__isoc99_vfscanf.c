/*
 * Description: __isoc99_vfscanf, what vfscanf() is in C99 and later modes,
 * as a program's own scanf-like wrapper uses it.  On a stream over a pipe
 * fed by a writer thread: "%d,%d" waits 50 ms for "3," and then for "4\n"
 * 50 ms later, and returns 2; a matching failure 0; at end of file EOF.
 */
#include "snippet.h"
#include <stdarg.h>

static int scan(FILE *in, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int r = vfscanf(in, fmt, ap);
  va_end(ap);
  return r;
}

int main(void)
{
  start();
  struct feeder f = {.pieces = {"3,", "4\n", "x\n"}, .delays = {50, 50, 10}};
  FILE *in = feed(&f);
  int a = 0, b = 0;
  double t0 = now_ms();
  int r = scan(in, "%d,%d", &a, &b);
  printf("vfscanf \"%%d,%%d\": %d, values %d %d\n", r, a, b);
  printf("  waited for both writes: %s\n", yesno(now_ms() - t0 >= 90));
  printf("vfscanf \"%%d\" on \"x\": %d\n", scan(in, " %d", &a));
  CHECK(scan(in, " x") == 0);
  printf("vfscanf at end of file: %s\n",
         scan(in, "%d", &a) == EOF ? "EOF" : "not EOF");
  join(f.t);
  CHECK(fclose(in) == 0);
  return 0;
}
