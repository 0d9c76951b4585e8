/*
 * Description: pselect(2): a timespec timeout on an empty pipe (0, and
 * unlike select the timeout is left as it was), other threads running
 * meanwhile; a NULL timeout waits for a writer thread (50 ms); and the
 * atomic signal mask: with SIGUSR1 blocked and pending, a pselect whose mask
 * unblocks it runs the handler and fails with EINTR, the old mask back
 * after.
 */
#include "snippet.h"
#include <sys/select.h>

static volatile sig_atomic_t usr1;

static void on_usr1(int sig)
{
  (void)sig;
  usr1++;
}

int main(void)
{
  start();
  int p[2];
  CHECK(pipe(p) == 0);
  int nfds = p[0] + 1;
  fd_set rd;
  FD_ZERO(&rd);
  FD_SET(p[0], &rd);
  struct timespec ts = {0, 100000000};

  struct ticker k;
  ticker_start(&k, 30);
  double t0 = now_ms();
  SYS("pselect on an empty pipe, 100ms",
      pselect(nfds, &rd, NULL, NULL, &ts, NULL));
  double dt = now_ms() - t0;
  printf("waited 90ms to 2s: %s, timeout left as it was: %s\n",
         yesno(dt >= 90 && dt < 2000),
         yesno(ts.tv_sec == 0 && ts.tv_nsec == 100000000));
  printf("another thread ran meanwhile: %s\n", yesno(ticker_ran(&k)));

  struct later w = {p[1], "x", 50, 0};
  t0 = now_ms();
  pthread_t t = spawn(later_fn, &w);
  FD_SET(p[0], &rd);
  SYS("pselect, NULL timeout, until the writer writes",
      pselect(nfds, &rd, NULL, NULL, NULL, NULL));
  printf("waited at least 40ms: %s, readable: %s\n", yesno(now_ms() - t0 >= 40),
         yesno(FD_ISSET(p[0], &rd)));
  join(t);
  CHECK(read(p[0], &(char){0}, 1) == 1);

  on_signal(SIGUSR1, on_usr1, SA_RESTART);
  sigset_t block, open_mask, now;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR1);
  CHECK(sigprocmask(SIG_BLOCK, &block, &open_mask) == 0);
  CHECK(raise(SIGUSR1) == 0);
  FD_SET(p[0], &rd);
  ts = (struct timespec){1, 0};
  SYS("pselect with a mask that unblocks the pending SIGUSR1",
      pselect(nfds, &rd, NULL, NULL, &ts, &open_mask));
  printf("handler calls: %d\n", (int)usr1);
  CHECK(sigprocmask(SIG_BLOCK, NULL, &now) == 0);
  printf("SIGUSR1 blocked again after: %s\n",
         yesno(sigismember(&now, SIGUSR1)));
  return 0;
}
