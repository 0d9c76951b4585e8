/*
 * Description: pthread_rwlock_rdlock(3).  Readers share: while a thread
 * holds a read lock (blocked on a pipe) another reader gets in at once.
 * While a thread holds the write lock, rdlock waits until it lets go 50 ms
 * later, other threads running meanwhile.  A thread may take the read lock
 * twice; rdlock while holding the write lock is EDEADLK.
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
  struct holder h;
  hold(&h, rd, un, &rw);
  double t0 = now_ms();
  ERR("rdlock, another reader in", pthread_rwlock_rdlock(&rw));
  printf("at once: %s\n", yesno(now_ms() - t0 < 40));
  CHECK(pthread_rwlock_unlock(&rw) == 0);
  release(&h);

  hold(&h, wr, un, &rw);
  release_after(&h, 50);
  struct ticker k;
  ticker_start(&k, 20);
  t0 = now_ms();
  ERR("rdlock, a writer in for 50ms", pthread_rwlock_rdlock(&rw));
  printf("waited at least 40ms: %s\n", yesno(now_ms() - t0 >= 40));
  printf("another thread ran meanwhile: %s\n", yesno(ticker_ran(&k)));
  ERR("rdlock again, same thread", pthread_rwlock_rdlock(&rw));
  CHECK(pthread_rwlock_unlock(&rw) == 0 && pthread_rwlock_unlock(&rw) == 0);
  release(&h);

  CHECK(pthread_rwlock_wrlock(&rw) == 0);
  ERR("rdlock while holding the write lock", pthread_rwlock_rdlock(&rw));
  CHECK(pthread_rwlock_unlock(&rw) == 0);
  return 0;
}
