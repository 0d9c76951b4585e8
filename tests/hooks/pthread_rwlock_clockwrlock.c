/*
 * Description: pthread_rwlock_clockwrlock(3), deadline on a chosen clock. While
 * a thread holds a read lock: CLOCK_MONOTONIC +100 ms is ETIMEDOUT
 * (not before, other threads running meanwhile), CLOCK_REALTIME +50 ms
 * too; another clock is EINVAL; let go 50 ms into a 2 s CLOCK_MONOTONIC
 * deadline: 0 well before it.
 */
#include "snippet.h"

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;

static int take(void *p)
{
  return pthread_rwlock_rdlock(p);
}

static int un(void *p)
{
  return pthread_rwlock_unlock(p);
}

int main(void)
{
  start();
  struct holder h;
  hold(&h, take, un, &rw);
  struct ticker k;
  ticker_start(&k, 30);
  struct timespec dl = abs_in(CLOCK_MONOTONIC, 100);
  double t0 = now_ms();
  ERR("CLOCK_MONOTONIC +100ms, held",
      pthread_rwlock_clockwrlock(&rw, CLOCK_MONOTONIC, &dl));
  double dt = now_ms() - t0;
  printf("waited 90ms to 2s: %s\n", yesno(dt >= 90 && dt < 2000));
  printf("another thread ran meanwhile: %s\n", yesno(ticker_ran(&k)));
  dl = abs_in(CLOCK_REALTIME, 50);
  ERR("CLOCK_REALTIME +50ms, held",
      pthread_rwlock_clockwrlock(&rw, CLOCK_REALTIME, &dl));
  ERR("CLOCK_PROCESS_CPUTIME_ID",
      pthread_rwlock_clockwrlock(&rw, CLOCK_PROCESS_CPUTIME_ID, &dl));

  release_after(&h, 50);
  dl = abs_in(CLOCK_MONOTONIC, 2000);
  t0 = now_ms();
  ERR("+2s, let go at 50ms",
      pthread_rwlock_clockwrlock(&rw, CLOCK_MONOTONIC, &dl));
  dt = now_ms() - t0;
  printf("took 40ms to 1.5s: %s\n", yesno(dt >= 40 && dt < 1500));
  CHECK(pthread_rwlock_unlock(&rw) == 0);
  release(&h);
  return 0;
}
