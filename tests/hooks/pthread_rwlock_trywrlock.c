/*
 * Description: pthread_rwlock_trywrlock(3) never waits: 0 on a free lock;
 * EBUSY at once while a thread holds a read lock, and while one holds the
 * write lock (each blocked on a pipe); 0 once they let go.
 */
#include "snippet.h"

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;

static int rd(void *p)
{
  return pthread_rwlock_rdlock(p);
}

static int wr(void *p)
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
  ERR("trywrlock a free lock", pthread_rwlock_trywrlock(&rw));
  CHECK(pthread_rwlock_unlock(&rw) == 0);
  struct holder h;
  hold(&h, rd, un, &rw);
  double t0 = now_ms();
  ERR("trywrlock, a reader in", pthread_rwlock_trywrlock(&rw));
  printf("at once: %s\n", yesno(now_ms() - t0 < 40));
  release(&h);
  hold(&h, wr, un, &rw);
  ERR("trywrlock, a writer in", pthread_rwlock_trywrlock(&rw));
  release(&h);
  ERR("trywrlock once they let go", pthread_rwlock_trywrlock(&rw));
  CHECK(pthread_rwlock_unlock(&rw) == 0);
  return 0;
}
