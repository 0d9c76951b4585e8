/*
 * Description: wait4(2).  A blocking wait4 for a child killed by SIGTERM
 * after 60 ms reports the signal and fills the rusage; WNOHANG with no
 * child ready is 0; with no children, ECHILD.
 */
#include "snippet.h"
#include <sys/resource.h>
#include <sys/wait.h>

int main(void)
{
  start();
  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    pause();
    _exit(0);
  }
  int st = 0;
  struct rusage ru;
  printf("WNOHANG: %ld\n", (long)wait4(pid, &st, WNOHANG, &ru));
  sleep_ms(60);
  CHECK(kill(pid, SIGTERM) == 0);
  memset(&ru, 0xff, sizeof(ru));
  pid_t r = wait4(pid, &st, 0, &ru);
  printf("wait4: the child: %s, killed by SIGTERM: %s\n", yesno(r == pid),
         yesno(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM));
  printf("rusage filled in: %s\n",
         yesno(ru.ru_maxrss >= 0 && ru.ru_utime.tv_usec < 1000000));
  SYS("wait4 with no children", wait4(-1, &st, 0, NULL));
  return 0;
}
