/*
 * Description: getchar(3) with stdin replaced by a pipe fed by a writer
 * thread (50 ms, then more 50 ms later).  glibc's header inlines getchar()
 * as getc(stdin) at -O2, so it is called through a pointer here to reach
 * getchar itself.  The first character waits, the rest of the write is
 * buffered, the next waits again, EOF at end of file.
 */
#include "snippet.h"

static int (*volatile gc)(void) = getchar;

int main(void)
{
  start();
  int p[2];
  CHECK(pipe(p) == 0);
  CHECK(dup2(p[0], 0) == 0 && close(p[0]) == 0);
  struct later w = {p[1], "hi", 50, 0};
  pthread_t t = spawn(later_fn, &w);
  double t0 = now_ms();
  int c = gc();
  printf("getchar: %c, waited at least 40ms: %s\n", c,
         yesno(now_ms() - t0 >= 40));
  printf("getchar: %c\n", gc());
  join(t);
  w = (struct later){p[1], "!", 50, 1};
  t = spawn(later_fn, &w);
  t0 = now_ms();
  c = gc();
  printf("getchar: %c, waited for the next write: %s\n", c,
         yesno(now_ms() - t0 >= 40));
  printf("getchar at end of file: %s\n", gc() == EOF ? "EOF" : "a char");
  join(t);
  return 0;
}
