/*
 * Description: signal(3), with glibc's BSD semantics.  It returns the
 * previous handler (SIG_DFL, then ours); the handler stays installed after a
 * delivery; and it implies SA_RESTART, so a read on a pipe interrupted by
 * SIGALRM is restarted and returns the data a writer thread sends 150 ms
 * later.  SIG_IGN for SIGPIPE turns a write to a readerless pipe into EPIPE;
 * SIGKILL gives SIG_ERR and EINVAL.
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
  printf("signal(SIGUSR1) returned SIG_DFL: %s\n",
         yesno(signal(SIGUSR1, handler) == SIG_DFL));
  printf("again returned our handler: %s\n",
         yesno(signal(SIGUSR1, handler) == handler));
  CHECK(raise(SIGUSR1) == 0 && raise(SIGUSR1) == 0);
  printf("two deliveries, handler calls: %d\n", (int)calls);

  CHECK(signal(SIGALRM, handler) == SIG_DFL);
  int p[2];
  CHECK(pipe(p) == 0);
  struct later w = {p[1], "restarted", 150, 0};
  pthread_t t = spawn(later_fn, &w);
  alarm_ms(50);
  char buf[16];
  ssize_t n = SYS("read interrupted by SIGALRM", read(p[0], buf, sizeof(buf)));
  printf("data: %.*s, handler calls: %d\n", (int)(n > 0 ? n : 0), buf,
         (int)calls);
  join(t);

  printf("signal(SIGPIPE, SIG_IGN) returned SIG_DFL: %s\n",
         yesno(signal(SIGPIPE, SIG_IGN) == SIG_DFL));
  CHECK(close(p[0]) == 0);
  SYS("write, no reader", write(p[1], "x", 1));
  errno = 0;
  sighandler_t r = signal(SIGKILL, handler);
  printf("signal(SIGKILL): SIG_ERR %s, errno %s\n", yesno(r == SIG_ERR),
         errname(errno));
  return 0;
}
