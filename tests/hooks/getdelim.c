/*
 * Description: getdelim(3) with ':' as the delimiter, on a stream over a pipe
 * fed by a writer thread: the first record waits 50 ms; a record split over
 * two writes 50 ms apart comes back whole; the last record without a
 * delimiter; then -1 at end of file, errno left at 0.  A NULL line pointer
 * is EINVAL.
 */
#include "snippet.h"

int main(void)
{
  start();
  struct feeder f = {.pieces = {"alpha:", "be", "ta:gamma"},
                     .delays = {50, 10, 50}};
  FILE *in = feed(&f);
  char *rec = NULL;
  size_t cap = 0;
  double t0 = now_ms();
  SYS("getdelim ':'", getdelim(&rec, &cap, ':', in));
  printf("  record: %s, waited at least 40ms: %s\n", rec,
         yesno(now_ms() - t0 >= 40));
  t0 = now_ms();
  SYS("getdelim, record in two writes", getdelim(&rec, &cap, ':', in));
  printf("  record: %s, waited for the second: %s\n", rec,
         yesno(now_ms() - t0 >= 40));
  SYS("getdelim, last record", getdelim(&rec, &cap, ':', in));
  printf("  record: %s\n", rec);
  errno = 0; /* the idiom that tells end of file from an error */
  SYS("getdelim at end of file", getdelim(&rec, &cap, ':', in));
  SYS("getdelim with a NULL line pointer", getdelim(NULL, &cap, ':', in));
  join(f.t);
  free(rec);
  CHECK(fclose(in) == 0);
  return 0;
}
