/*
 * Description: pthread_mutex_destroy(3): an unlocked mutex is destroyed (0);
 * a locked one is EBUSY and stays usable; after a contended use (a thread
 * waited 50 ms for it) it is destroyed normally; a destroyed mutex can be
 * initialised again, even as another kind; a static initializer too.
 */
#include "snippet.h"

static pthread_mutex_t m, s = PTHREAD_MUTEX_INITIALIZER;

static void *waiter(void *arg)
{
  (void)arg;
  CHECK(pthread_mutex_lock(&m) == 0);
  CHECK(pthread_mutex_unlock(&m) == 0);
  return NULL;
}

int main(void)
{
  start();
  CHECK(pthread_mutex_init(&m, NULL) == 0);
  ERR("destroy an unlocked mutex", pthread_mutex_destroy(&m));
  CHECK(pthread_mutex_init(&m, NULL) == 0);
  CHECK(pthread_mutex_lock(&m) == 0);
  ERR("destroy a locked mutex", pthread_mutex_destroy(&m));
  ERR("unlock it", pthread_mutex_unlock(&m));

  CHECK(pthread_mutex_lock(&m) == 0);
  pthread_t t = spawn(waiter, NULL);
  sleep_ms(50);
  CHECK(pthread_mutex_unlock(&m) == 0);
  join(t);
  ERR("destroy after a contended use", pthread_mutex_destroy(&m));

  pthread_mutexattr_t a;
  CHECK(pthread_mutexattr_init(&a) == 0);
  CHECK(pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK) == 0);
  ERR("init again, as ERRORCHECK", pthread_mutex_init(&m, &a));
  CHECK(pthread_mutex_lock(&m) == 0);
  ERR("  relock", pthread_mutex_lock(&m));
  CHECK(pthread_mutex_unlock(&m) == 0);
  ERR("destroy", pthread_mutex_destroy(&m));
  CHECK(pthread_mutex_lock(&s) == 0 && pthread_mutex_unlock(&s) == 0);
  ERR("destroy a PTHREAD_MUTEX_INITIALIZER mutex", pthread_mutex_destroy(&s));
  return 0;
}
