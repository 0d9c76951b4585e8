/*
 * Description: pthread_rwlock_timedrdlock(3), CLOCK_REALTIME deadline.  While
 * a thread holds the write lock: ETIMEDOUT 100 ms on (not before, other
 * threads running meanwhile); let go 50 ms into a 2 s deadline: 0 well
 * before it.  A bad deadline while it is held is EINVAL; on a free lock the
 * call succeeds at once.
 */
#include "snippet.h"

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;

static int take(void *p)
{
  return pthread_rwlock_wrlock(p);
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
  struct timespec dl = abs_in(CLOCK_REALTIME, 100);
  double t0 = now_ms();
  ERR("+100ms, held", pthread_rwlock_timedrdlock(&rw, &dl));
  double dt = now_ms() - t0;
  printf("waited 90ms to 2s: %s\n", yesno(dt >= 90 && dt < 2000));
  printf("another thread ran meanwhile: %s\n", yesno(ticker_ran(&k)));
  struct timespec bad = {0, 2000000000};
  ERR("bad deadline, held", pthread_rwlock_timedrdlock(&rw, &bad));

  release_after(&h, 50);
  dl = abs_in(CLOCK_REALTIME, 2000);
  t0 = now_ms();
  ERR("+2s, let go at 50ms", pthread_rwlock_timedrdlock(&rw, &dl));
  dt = now_ms() - t0;
  printf("took 40ms to 1.5s: %s\n", yesno(dt >= 40 && dt < 1500));
  CHECK(pthread_rwlock_unlock(&rw) == 0);
  release(&h);
  dl = abs_in(CLOCK_REALTIME, 100);
  t0 = now_ms();
  ERR("free lock", pthread_rwlock_timedrdlock(&rw, &dl));
  printf("at once: %s\n", yesno(now_ms() - t0 < 40));
  CHECK(pthread_rwlock_unlock(&rw) == 0);
  return 0;
}
