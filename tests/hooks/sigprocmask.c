/*
 * Description: sigprocmask(2).  With SIGALRM blocked (before any thread is
 * created, so threads inherit it), a timer's SIGALRM stays pending: a read on
 * a pipe is not interrupted and returns the data a writer thread sends
 * 150 ms later, with the handler not yet run; sigpending shows SIGALRM; the
 * unblocking sigprocmask runs the handler before it returns.  The old mask
 * comes back; SIG_SETMASK; a bad `how` is EINVAL.
 */
#include "snippet.h"

static volatile sig_atomic_t calls;

static void handler(int sig)
{
  (void)sig;
  calls++;
}

int main(void)
{
  start();
  on_signal(SIGALRM, handler, 0);
  sigset_t alrm, old, now;
  sigemptyset(&alrm);
  sigaddset(&alrm, SIGALRM);
  SYS("SIG_BLOCK SIGALRM", sigprocmask(SIG_BLOCK, &alrm, &old));
  printf("old mask had SIGALRM: %s\n", yesno(sigismember(&old, SIGALRM)));

  int p[2];
  CHECK(pipe(p) == 0);
  struct later w = {p[1], "undisturbed", 150, 0};
  pthread_t t = spawn(later_fn, &w);
  alarm_ms(50);
  char buf[16];
  ssize_t n = SYS("read with SIGALRM blocked", read(p[0], buf, sizeof(buf)));
  printf("data: %.*s, handler calls: %d\n", (int)(n > 0 ? n : 0), buf,
         (int)calls);
  join(t);
  CHECK(sigpending(&now) == 0);
  printf("SIGALRM pending: %s\n", yesno(sigismember(&now, SIGALRM)));
  SYS("SIG_UNBLOCK SIGALRM", sigprocmask(SIG_UNBLOCK, &alrm, &old));
  printf("handler calls right after: %d, old mask had SIGALRM: %s\n",
         (int)calls, yesno(sigismember(&old, SIGALRM)));

  sigemptyset(&now);
  sigaddset(&now, SIGUSR2);
  SYS("SIG_SETMASK {SIGUSR2}", sigprocmask(SIG_SETMASK, &now, NULL));
  CHECK(sigprocmask(SIG_SETMASK, NULL, &old) == 0);
  printf("mask has SIGUSR2: %s, SIGALRM: %s\n",
         yesno(sigismember(&old, SIGUSR2)), yesno(sigismember(&old, SIGALRM)));
  SYS("how 99", sigprocmask(99, &now, NULL));
  return 0;
}
