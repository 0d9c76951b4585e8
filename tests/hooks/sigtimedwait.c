/*
 * Description: sigtimedwait(2), with SIGUSR1 blocked in every thread.
 * Nothing arrives within 100 ms: -1 EAGAIN after the timeout, other threads
 * running meanwhile; a zero timeout polls (EAGAIN at once); a SIGUSR1 sent
 * by a thread 50 ms into a 2 s timeout is returned well before it; a bad
 * timeout is EINVAL.
 */
#include "snippet.h"

static void *sender(void *arg)
{
  (void)arg;
  sleep_ms(50);
  CHECK(kill(getpid(), SIGUSR1) == 0);
  return NULL;
}

int main(void)
{
  start();
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  CHECK(pthread_sigmask(SIG_BLOCK, &set, NULL) == 0);
  siginfo_t si;
  struct timespec ts = {0, 100000000};
  struct ticker k;
  ticker_start(&k, 30);
  double t0 = now_ms();
  SYS("sigtimedwait 100ms, nothing sent", sigtimedwait(&set, &si, &ts));
  double dt = now_ms() - t0;
  printf("  waited 90ms to 2s: %s\n", yesno(dt >= 90 && dt < 2000));
  printf("  another thread ran meanwhile: %s\n", yesno(ticker_ran(&k)));
  ts = (struct timespec){0, 0};
  t0 = now_ms();
  SYS("sigtimedwait, zero timeout", sigtimedwait(&set, &si, &ts));
  printf("  at once: %s\n", yesno(now_ms() - t0 < 40));

  pthread_t t = spawn(sender, NULL);
  ts = (struct timespec){2, 0};
  t0 = now_ms();
  int r = SYS("sigtimedwait 2s, SIGUSR1 sent at 50ms",
              sigtimedwait(&set, &si, &ts));
  dt = now_ms() - t0;
  printf("  is SIGUSR1: %s, took 40ms to 1.5s: %s\n", yesno(r == SIGUSR1),
         yesno(dt >= 40 && dt < 1500));
  join(t);
  ts = (struct timespec){0, 1000000000};
  SYS("sigtimedwait, tv_nsec 1e9", sigtimedwait(&set, &si, &ts));
  return 0;
}
