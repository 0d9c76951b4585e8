/*
 * Description: pthread_mutex_lock(3).  A mutex held by a thread that lets
 * go 50 ms later: lock waits for it, while other threads keep running.
 * Four threads add 1000 each to a counter under the mutex, yielding inside
 * the critical section now and then: 4000.  Relocking an ERRORCHECK mutex
 * is EDEADLK; a RECURSIVE one nests.
 */
#include "snippet.h"

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static int take(void *p)
{
  return pthread_mutex_lock(p);
}

static int drop(void *p)
{
  return pthread_mutex_unlock(p);
}

static void *adder(void *arg)
{
  (void)arg;
  for (int i = 0; i < 1000; i++) {
    CHECK(pthread_mutex_lock(&m) == 0);
    long v = counter;
    if (i % 100 == 0)
      sched_yield();
    if (i % 250 == 0)
      sleep_ms(1);
    counter = v + 1;
    CHECK(pthread_mutex_unlock(&m) == 0);
  }
  return NULL;
}

int main(void)
{
  start();
  struct holder h;
  hold(&h, take, drop, &m);
  release_after(&h, 50);
  struct ticker k;
  ticker_start(&k, 20);
  double t0 = now_ms();
  ERR("lock, held by a thread for 50ms", pthread_mutex_lock(&m));
  printf("waited at least 40ms: %s\n", yesno(now_ms() - t0 >= 40));
  printf("another thread ran meanwhile: %s\n", yesno(ticker_ran(&k)));
  CHECK(pthread_mutex_unlock(&m) == 0);
  release(&h);

  pthread_t t[4];
  for (int i = 0; i < 4; i++)
    t[i] = spawn(adder, NULL);
  for (int i = 0; i < 4; i++)
    join(t[i]);
  printf("4 threads x 1000 increments: %ld\n", counter);

  pthread_mutex_t e, r;
  pthread_mutexattr_t a;
  CHECK(pthread_mutexattr_init(&a) == 0);
  CHECK(pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK) == 0);
  CHECK(pthread_mutex_init(&e, &a) == 0);
  CHECK(pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE) == 0);
  CHECK(pthread_mutex_init(&r, &a) == 0);
  ERR("ERRORCHECK: lock", pthread_mutex_lock(&e));
  ERR("ERRORCHECK: lock again", pthread_mutex_lock(&e));
  ERR("RECURSIVE: lock", pthread_mutex_lock(&r));
  ERR("RECURSIVE: lock again", pthread_mutex_lock(&r));
  ERR("RECURSIVE: and again", pthread_mutex_lock(&r));
  return 0;
}
