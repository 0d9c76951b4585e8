/*
 * Description: pthread_mutex_timedlock(3), CLOCK_REALTIME deadline.  While a
 * thread holds the mutex: ETIMEDOUT 100 ms on (not before, other threads
 * running meanwhile), and at once for a deadline already past; let go 50 ms
 * into a 2 s deadline: 0 well before it.  A free mutex is taken even with a
 * bad deadline; a held one with a bad deadline is EINVAL.
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
  struct timespec dl = abs_in(CLOCK_REALTIME, 100);
  double t0 = now_ms();
  ERR("timedlock +100ms, held", pthread_mutex_timedlock(&m, &dl));
  double dt = now_ms() - t0;
  printf("waited 90ms to 2s: %s\n", yesno(dt >= 90 && dt < 2000));
  printf("another thread ran meanwhile: %s\n", yesno(ticker_ran(&k)));
  dl = abs_in(CLOCK_REALTIME, -100);
  t0 = now_ms();
  ERR("timedlock, deadline past, held", pthread_mutex_timedlock(&m, &dl));
  printf("at once: %s\n", yesno(now_ms() - t0 < 40));
  struct timespec bad = {0, 2000000000};
  ERR("timedlock, bad deadline, held", pthread_mutex_timedlock(&m, &bad));

  release_after(&h, 50);
  dl = abs_in(CLOCK_REALTIME, 2000);
  t0 = now_ms();
  ERR("timedlock +2s, let go at 50ms", pthread_mutex_timedlock(&m, &dl));
  dt = now_ms() - t0;
  printf("took 40ms to 1.5s: %s\n", yesno(dt >= 40 && dt < 1500));
  CHECK(pthread_mutex_unlock(&m) == 0);
  release(&h);
  ERR("timedlock, bad deadline, free", pthread_mutex_timedlock(&m, &bad));
  CHECK(pthread_mutex_unlock(&m) == 0);
  return 0;
}
