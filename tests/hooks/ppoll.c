/*
 * Description: ppoll(2): a timespec timeout on an empty pipe (0, after the
 * timeout, other threads running meanwhile); a NULL timeout waits for a
 * writer thread (50 ms); level-triggered repeats; and the atomic signal
 * mask: with SIGUSR1 blocked and pending, a ppoll whose mask unblocks it
 * runs the handler and fails with EINTR, and the old mask is back after.
 */
#include "snippet.h"

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
  struct pollfd f = {p[0], POLLIN, 0};
  struct timespec ts = {0, 100000000};

  struct ticker k;
  ticker_start(&k, 30);
  double t0 = now_ms();
  SYS("ppoll an empty pipe, 100ms", ppoll(&f, 1, &ts, NULL));
  double dt = now_ms() - t0;
  printf("waited 90ms to 2s: %s\n", yesno(dt >= 90 && dt < 2000));
  printf("another thread ran meanwhile: %s\n", yesno(ticker_ran(&k)));

  struct later w = {p[1], "x", 50, 0};
  t0 = now_ms();
  pthread_t t = spawn(later_fn, &w);
  SYS("ppoll, NULL timeout, until the writer writes", ppoll(&f, 1, NULL, NULL));
  printf("waited at least 40ms: %s, revents %s\n", yesno(now_ms() - t0 >= 40),
         events_str(f.revents));
  join(t);
  ts = (struct timespec){0, 0};
  SYS("ppoll again, data unread", ppoll(&f, 1, &ts, NULL));

  char c;
  CHECK(read(p[0], &c, 1) == 1);
  on_signal(SIGUSR1, on_usr1, SA_RESTART);
  sigset_t block, open_mask, now;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR1);
  CHECK(sigprocmask(SIG_BLOCK, &block, &open_mask) == 0);
  CHECK(raise(SIGUSR1) == 0);
  printf("handler ran while blocked: %s\n", yesno(usr1));
  ts = (struct timespec){1, 0};
  SYS("ppoll with a mask that unblocks the pending SIGUSR1",
      ppoll(&f, 1, &ts, &open_mask));
  printf("handler calls: %d\n", (int)usr1);
  CHECK(sigprocmask(SIG_BLOCK, NULL, &now) == 0);
  printf("SIGUSR1 blocked again after: %s\n",
         yesno(sigismember(&now, SIGUSR1)));
  return 0;
}
