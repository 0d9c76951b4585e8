/*
 * Description: pthread_spin_trylock(3) never spins: 0 on a free lock; EBUSY
 * at once while another thread (blocked on a pipe) holds it, and while we
 * hold it ourselves; 0 once it is free.
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
  ERR("trylock a free lock", pthread_spin_trylock(&l));
  ERR("trylock while we hold it", pthread_spin_trylock(&l));
  CHECK(pthread_spin_unlock(&l) == 0);
  struct holder h;
  hold(&h, take, drop, (void *)&l);
  double t0 = now_ms();
  ERR("trylock, held by a blocked thread", pthread_spin_trylock(&l));
  printf("at once: %s\n", yesno(now_ms() - t0 < 40));
  release(&h);
  ERR("trylock once it is free", pthread_spin_trylock(&l));
  CHECK(pthread_spin_unlock(&l) == 0);
  return 0;
}
