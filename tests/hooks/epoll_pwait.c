/*
 * Description: epoll_pwait(2): a timeout with other threads running
 * meanwhile, a wait woken by a writer thread (50 ms), level-triggered
 * repeats, and the atomic signal mask: with SIGUSR1 blocked and pending, an
 * epoll_pwait whose mask unblocks it runs the handler and fails with EINTR,
 * the old mask back after; a NULL mask is plain epoll_wait.
 */
#include "snippet.h"
#include <sys/epoll.h>

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
  int ep = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 5}, out[2];
  CHECK(ep >= 0 && epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0);

  struct ticker k;
  ticker_start(&k, 30);
  double t0 = now_ms();
  SYS("epoll_pwait on an empty pipe, 100ms",
      epoll_pwait(ep, out, 2, 100, NULL));
  double dt = now_ms() - t0;
  printf("waited 90ms to 2s: %s\n", yesno(dt >= 90 && dt < 2000));
  printf("another thread ran meanwhile: %s\n", yesno(ticker_ran(&k)));

  struct later w = {p[1], "x", 50, 0};
  t0 = now_ms();
  pthread_t t = spawn(later_fn, &w);
  SYS("epoll_pwait(-1) until the writer writes",
      epoll_pwait(ep, out, 2, -1, NULL));
  printf("waited at least 40ms: %s, data %lu\n", yesno(now_ms() - t0 >= 40),
         (unsigned long)out[0].data.u64);
  join(t);
  SYS("epoll_pwait again, data unread", epoll_pwait(ep, out, 2, 0, NULL));
  char c;
  CHECK(read(p[0], &c, 1) == 1);

  on_signal(SIGUSR1, on_usr1, SA_RESTART);
  sigset_t block, open_mask, now;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR1);
  CHECK(sigprocmask(SIG_BLOCK, &block, &open_mask) == 0);
  CHECK(raise(SIGUSR1) == 0);
  SYS("epoll_pwait with a mask that unblocks the pending SIGUSR1",
      epoll_pwait(ep, out, 2, 1000, &open_mask));
  printf("handler calls: %d\n", (int)usr1);
  CHECK(sigprocmask(SIG_BLOCK, NULL, &now) == 0);
  printf("SIGUSR1 blocked again after: %s\n",
         yesno(sigismember(&now, SIGUSR1)));
  return 0;
}
