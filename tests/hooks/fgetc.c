/*
 * Description: fgetc(3) on a stream over a pipe fed by a writer thread: the
 * first character waits 50 ms; the rest of that write comes from the
 * buffer; the next character waits for the next write; EOF at end of file.
 */
#include "snippet.h"

int main(void)
{
  start();
  struct feeder f = {.pieces = {"ab", "c"}, .delays = {50, 50}};
  FILE *in = feed(&f);
  double t0 = now_ms();
  int c = fgetc(in);
  printf("fgetc: %c, waited at least 40ms: %s\n", c,
         yesno(now_ms() - t0 >= 40));
  printf("fgetc: %c\n", fgetc(in));
  t0 = now_ms();
  c = fgetc(in);
  printf("fgetc: %c, waited for the next write: %s\n", c,
         yesno(now_ms() - t0 >= 40));
  printf("fgetc at end of file: %s\n", fgetc(in) == EOF ? "EOF" : "a char");
  join(f.t);
  CHECK(fclose(in) == 0);
  return 0;
}
