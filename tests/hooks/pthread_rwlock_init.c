/*
 * Description: pthread_rwlock_init(3) and the kind attribute.  NULL
 * attributes and PTHREAD_RWLOCK_INITIALIZER: readers share, a writer
 * excludes.  The default kind prefers readers: with a reader in and a writer
 * waiting, a new reader still gets in (tryrdlock 0).  With
 * PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP the waiting writer goes
 * first: tryrdlock is EBUSY, and the writer gets the lock when the reader
 * leaves.
 */
#include "snippet.h"

static pthread_rwlock_t rw, s = PTHREAD_RWLOCK_INITIALIZER;
static int wrote;

static int rd(void *p)
{
  return pthread_rwlock_rdlock(p);
}

static int un(void *p)
{
  return pthread_rwlock_unlock(p);
}

static void *writer(void *arg)
{
  (void)arg;
  CHECK(pthread_rwlock_wrlock(&rw) == 0);
  wrote = 1;
  CHECK(pthread_rwlock_unlock(&rw) == 0);
  return NULL;
}

static void preference(void)
{
  struct holder h;
  hold(&h, rd, un, &rw);
  wrote = 0;
  pthread_t w = spawn(writer, NULL);
  sleep_ms(50);
  int r = pthread_rwlock_tryrdlock(&rw);
  printf("  writer waiting behind a reader; a new reader's tryrdlock: %s\n",
         errname(r));
  if (r == 0)
    CHECK(pthread_rwlock_unlock(&rw) == 0);
  printf("  the writer got in while the reader held it: %s\n", yesno(wrote));
  release(&h);
  join(w);
  printf("  the writer got in after: %s\n", yesno(wrote));
}

int main(void)
{
  start();
  ERR("init with NULL attributes", pthread_rwlock_init(&rw, NULL));
  ERR("  rdlock", pthread_rwlock_rdlock(&rw));
  ERR("  tryrdlock, a reader in", pthread_rwlock_tryrdlock(&rw));
  ERR("  trywrlock, readers in", pthread_rwlock_trywrlock(&rw));
  CHECK(pthread_rwlock_unlock(&rw) == 0 && pthread_rwlock_unlock(&rw) == 0);
  preference();
  CHECK(pthread_rwlock_destroy(&rw) == 0);

  pthread_rwlockattr_t a;
  CHECK(pthread_rwlockattr_init(&a) == 0);
  CHECK(pthread_rwlockattr_setkind_np(
            &a, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP) == 0);
  ERR("init PREFER_WRITER_NONRECURSIVE_NP", pthread_rwlock_init(&rw, &a));
  preference();

  printf("PTHREAD_RWLOCK_INITIALIZER:\n");
  ERR("  wrlock", pthread_rwlock_wrlock(&s));
  ERR("  tryrdlock, a writer in", pthread_rwlock_tryrdlock(&s));
  ERR("  unlock", pthread_rwlock_unlock(&s));
  return 0;
}
