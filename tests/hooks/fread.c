/*
 * Description: fread(3) on a stream over a pipe fed by a writer thread.
 * fread keeps reading until it has all it asked for: 100 bytes that arrive
 * as 30 then 70 bytes 50 ms later come back in one call of 100; at end of
 * file a short count of whole items (23 bytes left make 2 items of 10);
 * then 0 with feof.
 */
#include "snippet.h"

int main(void)
{
  start();
  static char a[31], b[71], c[24];
  memset(a, 'a', 30);
  memset(b, 'b', 70);
  memset(c, 'c', 23);
  struct feeder f = {.pieces = {a, b, c}, .delays = {50, 50, 50}};
  FILE *in = feed(&f);
  char buf[128];
  double t0 = now_ms();
  size_t n = fread(buf, 1, 100, in);
  printf("fread 100 x 1: %zu, waited for both pieces: %s\n", n,
         yesno(now_ms() - t0 >= 90));
  printf("  first %.1s last %.1s\n", buf, buf + 99);
  n = fread(buf, 10, 5, in);
  printf("fread 5 x 10, 23 bytes before end of file: %zu\n", n);
  n = fread(buf, 1, 10, in);
  printf("fread at end of file: %zu, feof: %s\n", n, yesno(feof(in)));
  join(f.t);
  CHECK(fclose(in) == 0);
  return 0;
}
