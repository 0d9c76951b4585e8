/*
 * Description: sigwaitinfo(2), with SIGUSR1 blocked in every thread.  A
 * thread queues SIGUSR1 with a value 50 ms later (sigqueue): sigwaitinfo
 * returns SIGUSR1 with si_code SI_QUEUE and the value, having waited, while
 * other threads kept running; a kill()ed one has SI_USER.  A SIGALRM whose
 * handler runs while it waits (SIGALRM is not in the set) fails it with
 * EINTR.
 */
#include "snippet.h"

static void *queuer(void *arg)
{
  (void)arg;
  sleep_ms(50);
  CHECK(sigqueue(getpid(), SIGUSR1, (union sigval){.sival_int = 42}) == 0);
  return NULL;
}

static void on_alarm(int sig)
{
  (void)sig;
}

int main(void)
{
  start();
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  CHECK(pthread_sigmask(SIG_BLOCK, &set, NULL) == 0);
  struct ticker k;
  ticker_start(&k, 20);
  pthread_t t = spawn(queuer, NULL);
  siginfo_t si;
  double t0 = now_ms();
  SYS("sigwaitinfo {SIGUSR1}", sigwaitinfo(&set, &si));
  printf("  si_signo SIGUSR1: %s, si_code SI_QUEUE: %s, value %d\n",
         yesno(si.si_signo == SIGUSR1), yesno(si.si_code == SI_QUEUE),
         si.si_value.sival_int);
  printf("  waited at least 40ms: %s\n", yesno(now_ms() - t0 >= 40));
  printf("  another thread ran meanwhile: %s\n", yesno(ticker_ran(&k)));
  join(t);

  CHECK(kill(getpid(), SIGUSR1) == 0);
  SYS("sigwaitinfo, a kill()ed SIGUSR1 pending", sigwaitinfo(&set, &si));
  printf("  si_code SI_USER: %s\n", yesno(si.si_code == SI_USER));

  on_signal(SIGALRM, on_alarm, SA_RESTART);
  alarm_ms(50);
  SYS("sigwaitinfo, interrupted by a SIGALRM handler", sigwaitinfo(&set, &si));
  return 0;
}
