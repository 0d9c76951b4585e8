/*
 * Description: waitpid(2).  A blocking waitpid for a child that exits after
 * 100 ms returns its pid and status, and another thread runs meanwhile;
 * WNOHANG on a running child is 0 at once; a second wait for a reaped
 * child, or with no children left, is ECHILD; a bad option is EINVAL.
 */
#include "snippet.h"
#include <sys/wait.h>

static pid_t child(long ms, int code)
{
  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    sleep_ms(ms);
    _exit(code);
  }
  return pid;
}

int main(void)
{
  start();
  /* From the fork: what comes between (the ticker's thread, the first,
   * starts the runtime's threads) takes a while under valgrind. */
  double t0 = now_ms();
  pid_t a = child(100, 7);
  int st = 0;
  printf("WNOHANG, still running: %ld\n", (long)waitpid(a, &st, WNOHANG));
  struct ticker k;
  ticker_start(&k, 30);
  pid_t r = waitpid(a, &st, 0);
  printf("waitpid: the child: %s, exited 7: %s\n", yesno(r == a),
         yesno(WIFEXITED(st) && WEXITSTATUS(st) == 7));
  printf("waited at least 80ms: %s\n", yesno(now_ms() - t0 >= 80));
  printf("another thread ran meanwhile: %s\n", yesno(ticker_ran(&k)));
  SYS("waitpid for it again", waitpid(a, &st, 0));
  SYS("waitpid(-1) with no children", waitpid(-1, &st, 0));
  SYS("waitpid with a bad option", waitpid(-1, &st, 0x40000000));
  return 0;
}
