/*
 * Description: pthread_rwlock_wrlock(3) waits until every reader has left:
 * two threads hold read locks and leave 50 and 100 ms later; wrlock returns
 * after the second, other threads running meanwhile.  Writers exclude each
 * other: four threads add 1000 each under the write lock, yielding inside:
 * 4000.  wrlock while holding it is EDEADLK.
 */
#include "snippet.h"

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static long counter;

static int rd(void *p)
{
  return pthread_rwlock_rdlock(p);
}

static int un(void *p)
{
  return pthread_rwlock_unlock(p);
}

static void *adder(void *arg)
{
  (void)arg;
  for (int i = 0; i < 1000; i++) {
    CHECK(pthread_rwlock_wrlock(&rw) == 0);
    long v = counter;
    if (i % 100 == 0)
      sched_yield();
    counter = v + 1;
    CHECK(pthread_rwlock_unlock(&rw) == 0);
  }
  return NULL;
}

int main(void)
{
  start();
  struct holder a, b;
  hold(&a, rd, un, &rw);
  hold(&b, rd, un, &rw);
  release_after(&a, 50);
  release_after(&b, 100);
  struct ticker k;
  ticker_start(&k, 30);
  double t0 = now_ms();
  ERR("wrlock, two readers in", pthread_rwlock_wrlock(&rw));
  printf("waited for both (at least 90ms): %s\n", yesno(now_ms() - t0 >= 90));
  printf("another thread ran meanwhile: %s\n", yesno(ticker_ran(&k)));
  ERR("wrlock again, same thread", pthread_rwlock_wrlock(&rw));
  CHECK(pthread_rwlock_unlock(&rw) == 0);
  release(&a);
  release(&b);

  pthread_t t[4];
  for (int i = 0; i < 4; i++)
    t[i] = spawn(adder, NULL);
  for (int i = 0; i < 4; i++)
    join(t[i]);
  printf("4 writers x 1000 increments: %ld\n", counter);
  return 0;
}
