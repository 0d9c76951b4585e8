/*
 * Description: wait(2).  Two children exit after 50 and 100 ms; two blocking
 * waits reap both (in the order they exit) with their statuses while
 * another thread runs; a third wait is ECHILD.
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
  pid_t a = child(50, 1), b = child(100, 2);
  struct ticker k;
  ticker_start(&k, 20);
  int st = 0;
  pid_t r = wait(&st);
  printf("first wait: the 50ms child: %s, status %d\n", yesno(r == a),
         WEXITSTATUS(st));
  r = wait(&st);
  printf("second wait: the 100ms child: %s, status %d\n", yesno(r == b),
         WEXITSTATUS(st));
  printf("another thread ran meanwhile: %s\n", yesno(ticker_ran(&k)));
  SYS("third wait", wait(&st));
  return 0;
}
