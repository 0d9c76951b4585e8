/* Regression test, found in review: see tests/regress.bats. */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wunused-variable"
#include <stdio.h>
int main(void)
{
  char line[64];
  for (int i = 0; i < 2; i++) {
    FILE *f = popen("sleep 0.2; echo hello", "r");
    printf("popen #%d fd %d: ", i + 1, fileno(f));
    fflush(stdout);
    printf("%s", fgets(line, sizeof line, f) ? line : "NULL\n");
    pclose(f);
  }
  return 0;
}
