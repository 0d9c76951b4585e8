/*
 * Description: pthread_mutex_trylock(3) never waits: 0 on a free mutex;
 * EBUSY at once while another thread (blocked on a pipe) holds it; 0 once
 * it let go; a RECURSIVE owner gets 0 and must unlock as often; an
 * ERRORCHECK or NORMAL owner gets EBUSY.
 */
#include "snippet.h"

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

static int take(void *p)
{
  return pthread_mutex_lock(p);
}

static int drop(void *p)
{
  return pthread_mutex_unlock(p);
}

int main(void)
{
  start();
  ERR("trylock a free mutex", pthread_mutex_trylock(&m));
  CHECK(pthread_mutex_unlock(&m) == 0);
  struct holder h;
  hold(&h, take, drop, &m);
  double t0 = now_ms();
  ERR("trylock, held by a blocked thread", pthread_mutex_trylock(&m));
  printf("at once: %s\n", yesno(now_ms() - t0 < 40));
  release(&h);
  ERR("trylock once it let go", pthread_mutex_trylock(&m));
  ERR("trylock by the owner (NORMAL)", pthread_mutex_trylock(&m));
  CHECK(pthread_mutex_unlock(&m) == 0);

  pthread_mutex_t r, e;
  pthread_mutexattr_t a;
  CHECK(pthread_mutexattr_init(&a) == 0);
  CHECK(pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE) == 0);
  CHECK(pthread_mutex_init(&r, &a) == 0);
  CHECK(pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK) == 0);
  CHECK(pthread_mutex_init(&e, &a) == 0);
  ERR("RECURSIVE: trylock", pthread_mutex_trylock(&r));
  ERR("RECURSIVE: trylock by the owner", pthread_mutex_trylock(&r));
  ERR("  unlock", pthread_mutex_unlock(&r));
  ERR("  unlock", pthread_mutex_unlock(&r));
  ERR("  unlock once more", pthread_mutex_unlock(&r));
  ERR("ERRORCHECK: trylock", pthread_mutex_trylock(&e));
  ERR("ERRORCHECK: trylock by the owner", pthread_mutex_trylock(&e));
  return 0;
}
