// cflags: -O2 -D_FORTIFY_SOURCE=2
/*
 * Description: __poll_chk, what poll() becomes under -D_FORTIFY_SOURCE=2
 * when the array's size is known and nfds is not a constant: poll(-1) woken
 * by a writer thread 50 ms later, level-triggered repeats, a timeout with
 * other threads running meanwhile, POLLHUP; and an nfds past the array
 * aborts (in a child, with its stderr silenced).
 */
#include "snippet.h"
#include <sys/wait.h>

int main(void)
{
  start();
  int p[2];
  CHECK(pipe(p) == 0);
  struct pollfd f[2] = {{p[0], POLLIN, 0}, {p[1], POLLOUT, 0}};
  volatile nfds_t one = 1, two = 2; /* not constants: __poll_chk */

  struct ticker k;
  ticker_start(&k, 30);
  double t0 = now_ms();
  SYS("poll an empty pipe, 100ms", poll(f, one, 100));
  double dt = now_ms() - t0;
  printf("waited 90ms to 2s: %s\n", yesno(dt >= 90 && dt < 2000));
  printf("another thread ran meanwhile: %s\n", yesno(ticker_ran(&k)));

  struct later w = {p[1], "x", 50, 0};
  t0 = now_ms();
  pthread_t t = spawn(later_fn, &w);
  SYS("poll(-1) until the writer writes", poll(f, one, -1));
  printf("waited at least 40ms: %s, revents %s\n", yesno(now_ms() - t0 >= 40),
         events_str(f[0].revents));
  join(t);
  SYS("poll again, data unread", poll(f, two, 0));
  printf("revents %s %s\n", events_str(f[0].revents), events_str(f[1].revents));

  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 2);
    volatile nfds_t three = 3;
    _exit(poll(f, three, 0) < 0 ? 1 : 0);
  }
  int status;
  CHECK(waitpid(pid, &status, 0) == pid);
  printf("an nfds past the array aborts: %s\n",
         yesno(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT));

  CHECK(close(p[1]) == 0);
  char c;
  CHECK(read(p[0], &c, 1) == 1);
  SYS("poll, writer closed", poll(f, one, 0));
  printf("revents %s\n", events_str(f[0].revents));
  return 0;
}
