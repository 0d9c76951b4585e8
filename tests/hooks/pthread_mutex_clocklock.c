/*
 * Description: pthread_mutex_clocklock(3), deadline on a chosen clock.
 * While a thread holds the mutex: CLOCK_MONOTONIC +100 ms is ETIMEDOUT (not
 * before, other threads running meanwhile), CLOCK_REALTIME +50 ms too;
 * another clock is EINVAL; let go 50 ms into a 2 s CLOCK_MONOTONIC
 * deadline, it returns 0 well before it.
 */
#include "snippet.h"

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

static int take(void *p)
{
  return pthread_mutex_lock(p);
}

static int drop(void *p)
{
  return pthread_mutex_unlock(p);
}

int main(void)
{
  start();
  struct holder h;
  hold(&h, take, drop, &m);
  struct ticker k;
  ticker_start(&k, 30);
  struct timespec dl = abs_in(CLOCK_MONOTONIC, 100);
  double t0 = now_ms();
  ERR("clocklock CLOCK_MONOTONIC +100ms, held",
      pthread_mutex_clocklock(&m, CLOCK_MONOTONIC, &dl));
  double dt = now_ms() - t0;
  printf("waited 90ms to 2s: %s\n", yesno(dt >= 90 && dt < 2000));
  printf("another thread ran meanwhile: %s\n", yesno(ticker_ran(&k)));
  dl = abs_in(CLOCK_REALTIME, 50);
  ERR("clocklock CLOCK_REALTIME +50ms, held",
      pthread_mutex_clocklock(&m, CLOCK_REALTIME, &dl));
  ERR("clocklock CLOCK_PROCESS_CPUTIME_ID",
      pthread_mutex_clocklock(&m, CLOCK_PROCESS_CPUTIME_ID, &dl));

  release_after(&h, 50);
  dl = abs_in(CLOCK_MONOTONIC, 2000);
  t0 = now_ms();
  ERR("clocklock +2s, let go at 50ms",
      pthread_mutex_clocklock(&m, CLOCK_MONOTONIC, &dl));
  dt = now_ms() - t0;
  printf("took 40ms to 1.5s: %s\n", yesno(dt >= 40 && dt < 1500));
  CHECK(pthread_mutex_unlock(&m) == 0);
  release(&h);
  return 0;
}
