/*
 * Description: waitid(2).  WEXITED for a child that exits 3 after 80 ms
 * fills si_pid, si_code CLD_EXITED and si_status 3, while another thread
 * runs; WNOHANG with nothing ready leaves si_pid 0; P_PID of a non-child
 * is ECHILD; no WEXITED/WSTOPPED/WCONTINUED is EINVAL.
 */
#include "snippet.h"
#include <sys/wait.h>

int main(void)
{
  start();
  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    sleep_ms(80);
    _exit(3);
  }
  siginfo_t si;
  memset(&si, 0, sizeof(si));
  SYS("WNOHANG, nothing yet", waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG));
  printf("  si_pid: %ld\n", (long)si.si_pid);
  struct ticker k;
  ticker_start(&k, 20);
  SYS("waitid WEXITED", waitid(P_PID, (id_t)pid, &si, WEXITED));
  printf("  the child: %s, CLD_EXITED: %s, status %d\n",
         yesno(si.si_pid == pid), yesno(si.si_code == CLD_EXITED),
         si.si_status);
  printf("another thread ran meanwhile: %s\n", yesno(ticker_ran(&k)));
  SYS("P_PID of a non-child", waitid(P_PID, 1, &si, WEXITED));
  SYS("no event asked for", waitid(P_ALL, 0, &si, 0));
  return 0;
}
