/*
 * Description: pthread_rwlock_tryrdlock(3) never waits: 0 on a free lock and
 * alongside another reader; EBUSY at once while a thread holds the write
 * lock (blocked on a pipe); 0 once the writer let go.
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
  ERR("tryrdlock a free lock", pthread_rwlock_tryrdlock(&rw));
  CHECK(pthread_rwlock_unlock(&rw) == 0);
  struct holder h;
  hold(&h, rd, un, &rw);
  ERR("tryrdlock, a reader in", pthread_rwlock_tryrdlock(&rw));
  CHECK(pthread_rwlock_unlock(&rw) == 0);
  release(&h);
  hold(&h, wr, un, &rw);
  double t0 = now_ms();
  ERR("tryrdlock, a writer in", pthread_rwlock_tryrdlock(&rw));
  printf("at once: %s\n", yesno(now_ms() - t0 < 40));
  release(&h);
  ERR("tryrdlock once the writer let go", pthread_rwlock_tryrdlock(&rw));
  CHECK(pthread_rwlock_unlock(&rw) == 0);
  return 0;
}
