/*
 * Description: sigwait(3), with SIGUSR1 and SIGUSR2 blocked in every thread
 * (blocked before any thread is created).  A thread sends SIGUSR2 to the
 * process 50 ms later: sigwait returns 0 and SIGUSR2, having waited, while
 * other threads kept running.  A signal already pending returns at once.
 * A set that also names SIGKILL is accepted (the kernel drops it).
 */
#include "snippet.h"

static void *sender(void *arg)
{
  sleep_ms(50);
  CHECK(kill(getpid(), (int)(long)arg) == 0);
  return NULL;
}

int main(void)
{
  start();
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigaddset(&set, SIGUSR2);
  CHECK(pthread_sigmask(SIG_BLOCK, &set, NULL) == 0);
  struct ticker k;
  ticker_start(&k, 20);
  pthread_t t = spawn(sender, (void *)(long)SIGUSR2);
  int sig = 0;
  double t0 = now_ms();
  ERR("sigwait {USR1, USR2}", sigwait(&set, &sig));
  printf("  got SIGUSR2: %s, waited at least 40ms: %s\n", yesno(sig == SIGUSR2),
         yesno(now_ms() - t0 >= 40));
  printf("  another thread ran meanwhile: %s\n", yesno(ticker_ran(&k)));
  join(t);

  CHECK(raise(SIGUSR1) == 0);
  t0 = now_ms();
  ERR("sigwait, SIGUSR1 already pending", sigwait(&set, &sig));
  printf("  got SIGUSR1: %s, at once: %s\n", yesno(sig == SIGUSR1),
         yesno(now_ms() - t0 < 40));
  sigset_t bad;
  sigemptyset(&bad);
  sigaddset(&bad, SIGKILL);
  sigaddset(&bad, SIGUSR1);
  CHECK(raise(SIGUSR1) == 0);
  ERR("sigwait on {SIGKILL, SIGUSR1}, SIGUSR1 pending", sigwait(&bad, &sig));
  printf("  got SIGUSR1: %s\n", yesno(sig == SIGUSR1));
  return 0;
}
