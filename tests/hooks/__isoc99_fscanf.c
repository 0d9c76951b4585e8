/*
 * Description: __isoc99_fscanf, what fscanf() is in C99 and later modes
 * (glibc's header redirects it).  On a stream over a pipe fed by a writer
 * thread: "%d %15s" waits 50 ms for "42 " and then for "answer\n" 50 ms
 * later, and returns 2; a matching failure returns 0; at end of file EOF.
 */
#include "snippet.h"

int main(void)
{
  start();
  struct feeder f = {.pieces = {"42 ", "answer\n", "oops\n"},
                     .delays = {50, 50, 10}};
  FILE *in = feed(&f);
  int n = 0;
  char word[16] = "";
  double t0 = now_ms();
  int r = fscanf(in, "%d %15s", &n, word);
  printf("fscanf \"%%d %%15s\": %d, n %d, word %s\n", r, n, word);
  printf("  waited for both writes: %s\n", yesno(now_ms() - t0 >= 90));
  printf("fscanf \"%%d\" on \"oops\": %d\n", fscanf(in, "%d", &n));
  CHECK(fscanf(in, "%15s", word) == 1);
  printf("fscanf at end of file: %s\n",
         fscanf(in, "%d", &n) == EOF ? "EOF" : "not EOF");
  join(f.t);
  CHECK(fclose(in) == 0);
  return 0;
}
