/*
 * Description: pthread_spin_destroy(3): a spinlock two threads used (one
 * spinning 50 ms for the other) is destroyed (0), initialised again and
 * used.
 */
#include "snippet.h"

static pthread_spinlock_t l;

static int take(void *p)
{
  return pthread_spin_lock(p);
}

static int drop(void *p)
{
  return pthread_spin_unlock(p);
}

int main(void)
{
  start();
  CHECK(pthread_spin_init(&l, PTHREAD_PROCESS_PRIVATE) == 0);
  struct holder h;
  hold(&h, take, drop, (void *)&l);
  release_after(&h, 50);
  CHECK(pthread_spin_lock(&l) == 0);
  CHECK(pthread_spin_unlock(&l) == 0);
  release(&h);
  ERR("destroy after use", pthread_spin_destroy(&l));
  ERR("init again", pthread_spin_init(&l, PTHREAD_PROCESS_PRIVATE));
  ERR("  lock", pthread_spin_lock(&l));
  ERR("  unlock", pthread_spin_unlock(&l));
  ERR("destroy", pthread_spin_destroy(&l));
  return 0;
}
