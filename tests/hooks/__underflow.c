/*
 * Description: __underflow, glibc's "fill the buffer and peek" (what the old
 * _IO_peekc macro called, still exported).  No header declares it any more,
 * so it is declared here and called directly.  On a stream over a pipe fed
 * by a writer thread: it waits 50 ms for data and returns the next
 * character without consuming it (getc then returns the same one); with
 * data buffered it returns at once; EOF at end of file.
 */
#include "snippet.h"

extern int __underflow(FILE *);

int main(void)
{
  start();
  struct feeder f = {.pieces = {"pe", "ek"}, .delays = {50, 50}};
  FILE *in = feed(&f);
  double t0 = now_ms();
  int c = __underflow(in);
  printf("__underflow: %c, waited at least 40ms: %s\n", c,
         yesno(now_ms() - t0 >= 40));
  printf("getc: %c\n", getc(in));
  t0 = now_ms();
  c = __underflow(in);
  printf("__underflow, buffered: %c, at once: %s\n", c,
         yesno(now_ms() - t0 < 40));
  printf("getc: %c\n", getc(in));
  t0 = now_ms();
  c = __underflow(in);
  printf("__underflow: %c, waited for the next write: %s\n", c,
         yesno(now_ms() - t0 >= 40));
  CHECK(getc(in) == 'e' && getc(in) == 'k');
  printf("__underflow at end of file: %s\n",
         __underflow(in) == EOF ? "EOF" : "a char");
  join(f.t);
  CHECK(fclose(in) == 0);
  return 0;
}
