/*
 * Description: getc(3) on a stream over a pipe fed by a writer thread: the
 * first character waits 50 ms, the rest of the write comes from the buffer,
 * the next character waits for the next write, EOF at end of file; ungetc
 * puts one back.
 */
#include "snippet.h"

int main(void)
{
  start();
  struct feeder f = {.pieces = {"xy", "z"}, .delays = {50, 50}};
  FILE *in = feed(&f);
  double t0 = now_ms();
  int c = getc(in);
  printf("getc: %c, waited at least 40ms: %s\n", c, yesno(now_ms() - t0 >= 40));
  CHECK(ungetc(c, in) == c);
  printf("getc after ungetc: %c\n", getc(in));
  printf("getc: %c\n", getc(in));
  t0 = now_ms();
  c = getc(in);
  printf("getc: %c, waited for the next write: %s\n", c,
         yesno(now_ms() - t0 >= 40));
  printf("getc at end of file: %s\n", getc(in) == EOF ? "EOF" : "a char");
  join(f.t);
  CHECK(fclose(in) == 0);
  return 0;
}
