/*
 * Description: pthread_spin_lock(3).  A spinlock held by a thread that is
 * itself blocked (in a read on a pipe, written 50 ms later) and then lets
 * go: the lock spins until it is free, which only works if the holder gets
 * to run meanwhile.  Four threads add 1000 each under the spinlock,
 * sleeping inside it now and then: 4000.
 */
#include "snippet.h"

static pthread_spinlock_t l;
static long counter;

static int take(void *p)
{
  return pthread_spin_lock(p);
}

static int drop(void *p)
{
  return pthread_spin_unlock(p);
}

static void *adder(void *arg)
{
  (void)arg;
  for (int i = 0; i < 1000; i++) {
    CHECK(pthread_spin_lock(&l) == 0);
    long v = counter;
    if (i % 250 == 0)
      sleep_ms(1);
    counter = v + 1;
    CHECK(pthread_spin_unlock(&l) == 0);
  }
  return NULL;
}

int main(void)
{
  start();
  CHECK(pthread_spin_init(&l, PTHREAD_PROCESS_PRIVATE) == 0);
  struct holder h;
  hold(&h, take, drop, (void *)&l);
  release_after(&h, 50);
  double t0 = now_ms();
  ERR("spin_lock, held by a blocked thread", pthread_spin_lock(&l));
  printf("waited at least 40ms: %s\n", yesno(now_ms() - t0 >= 40));
  CHECK(pthread_spin_unlock(&l) == 0);
  release(&h);

  pthread_t t[4];
  for (int i = 0; i < 4; i++)
    t[i] = spawn(adder, NULL);
  for (int i = 0; i < 4; i++)
    join(t[i]);
  printf("4 threads x 1000 increments: %ld\n", counter);
  return 0;
}
