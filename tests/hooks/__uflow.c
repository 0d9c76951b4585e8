/*
 * Description: __uflow, which the getc_unlocked() macro calls when the
 * stream's buffer is empty (glibc's struct_FILE.h), so every -O2 loop over
 * getc_unlocked imports it.  On a stream over a pipe fed by a writer
 * thread: the first character waits 50 ms, the rest of the write comes from
 * the buffer without __uflow, the next write is waited for, EOF at the end.
 * Also called directly, as its prototype in stdio.h allows.
 */
#include "snippet.h"

int main(void)
{
  start();
  struct feeder f = {.pieces = {"uf", "low", "!"}, .delays = {50, 50, 50}};
  FILE *in = feed(&f);
  char got[16];
  int n = 0, c;
  double t0 = now_ms();
  flockfile(in);
  c = getc_unlocked(in);
  printf("getc_unlocked: %c, waited at least 40ms: %s\n", c,
         yesno(now_ms() - t0 >= 40));
  while (n < 4 && (c = getc_unlocked(in)) != EOF)
    got[n++] = (char)c;
  printf("then: %.*s, waited for the next write: %s\n", n, got,
         yesno(now_ms() - t0 >= 90));
  t0 = now_ms();
  c = __uflow(in);
  printf("__uflow: %c, waited for the last write: %s\n", c,
         yesno(now_ms() - t0 >= 40));
  printf("__uflow at end of file: %s\n", __uflow(in) == EOF ? "EOF" : "a char");
  funlockfile(in);
  join(f.t);
  CHECK(fclose(in) == 0);
  return 0;
}
