/* Regression test, found in review: see tests/regress.bats. */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wunused-variable"
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
static FILE *f;
static void *rd(void *a)
{
  char line[64];
  if (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = 0;
    printf("got \"%s\" (%zu bytes)\n", line, strlen(line));
  } else
    printf("got NULL\n");
  return 0;
}
int main(void)
{
  int p[2];
  pipe(p);
  f = fdopen(p[0], "r");
  pthread_t a, b;
  pthread_create(&a, 0, rd, 0);
  pthread_create(&b, 0, rd, 0);
  usleep(100000);
  write(p[1], "AAAA\n", 5);
  usleep(100000);
  write(p[1], "BBBB\n", 5);
  pthread_join(a, 0);
  pthread_join(b, 0);
  return 0;
}
