/*
 * Description: epoll_pwait2(2), with a timespec timeout: 100 ms on an empty
 * pipe (0, other threads running meanwhile), a zero timespec polls, a NULL
 * timeout waits for a writer thread (50 ms), level-triggered repeats; a
 * pending signal unblocked by the mask gives EINTR; a bad tv_nsec EINVAL.
 * Exits 77 (skip) on a kernel without it.
 */
#include "snippet.h"
#include <sys/epoll.h>

static void on_usr1(int sig)
{
  (void)sig;
}

int main(void)
{
  start();
  int p[2];
  CHECK(pipe(p) == 0);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 3}, out[2];
  CHECK(ep >= 0 && epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0);
  struct timespec zero = {0, 0};
  if (epoll_pwait2(ep, out, 2, &zero, NULL) < 0 && errno == ENOSYS) {
    printf("epoll_pwait2: ENOSYS, kernel older than 5.11\n");
    return 77;
  }

  struct timespec ts = {0, 100000000};
  struct ticker k;
  ticker_start(&k, 30);
  double t0 = now_ms();
  SYS("epoll_pwait2 on an empty pipe, 100ms",
      epoll_pwait2(ep, out, 2, &ts, NULL));
  double dt = now_ms() - t0;
  printf("waited 90ms to 2s: %s\n", yesno(dt >= 90 && dt < 2000));
  printf("another thread ran meanwhile: %s\n", yesno(ticker_ran(&k)));
  SYS("epoll_pwait2, zero timeout", epoll_pwait2(ep, out, 2, &zero, NULL));

  struct later w = {p[1], "x", 50, 0};
  t0 = now_ms();
  pthread_t t = spawn(later_fn, &w);
  SYS("epoll_pwait2, NULL timeout, until the writer writes",
      epoll_pwait2(ep, out, 2, NULL, NULL));
  printf("waited at least 40ms: %s, data %lu\n", yesno(now_ms() - t0 >= 40),
         (unsigned long)out[0].data.u64);
  join(t);
  SYS("epoll_pwait2 again, data unread", epoll_pwait2(ep, out, 2, &zero, NULL));
  char c;
  CHECK(read(p[0], &c, 1) == 1);

  on_signal(SIGUSR1, on_usr1, SA_RESTART);
  sigset_t block, open_mask;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR1);
  CHECK(sigprocmask(SIG_BLOCK, &block, &open_mask) == 0);
  CHECK(raise(SIGUSR1) == 0);
  ts = (struct timespec){1, 0};
  SYS("epoll_pwait2 unblocking a pending SIGUSR1",
      epoll_pwait2(ep, out, 2, &ts, &open_mask));
  ts = (struct timespec){0, 1000000000};
  SYS("epoll_pwait2 with tv_nsec 1e9", epoll_pwait2(ep, out, 2, &ts, NULL));
  return 0;
}
