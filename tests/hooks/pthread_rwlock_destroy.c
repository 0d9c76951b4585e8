/*
 * Description: pthread_rwlock_destroy(3): a lock that readers and a waiting
 * writer used (all gone now) is destroyed (0), initialised again and used;
 * an unused one and a PTHREAD_RWLOCK_INITIALIZER one are destroyed too.
 */
#include "snippet.h"

static pthread_rwlock_t rw, s = PTHREAD_RWLOCK_INITIALIZER;

static void *writer(void *arg)
{
  (void)arg;
  CHECK(pthread_rwlock_wrlock(&rw) == 0);
  CHECK(pthread_rwlock_unlock(&rw) == 0);
  return NULL;
}

static void use(void)
{
  CHECK(pthread_rwlock_rdlock(&rw) == 0);
  pthread_t w = spawn(writer, NULL);
  sleep_ms(50);
  CHECK(pthread_rwlock_unlock(&rw) == 0);
  join(w);
}

int main(void)
{
  start();
  CHECK(pthread_rwlock_init(&rw, NULL) == 0);
  use();
  ERR("destroy after use", pthread_rwlock_destroy(&rw));
  ERR("init again", pthread_rwlock_init(&rw, NULL));
  use();
  printf("used again: yes\n");
  ERR("destroy", pthread_rwlock_destroy(&rw));
  CHECK(pthread_rwlock_init(&rw, NULL) == 0);
  ERR("destroy one never used", pthread_rwlock_destroy(&rw));
  ERR("destroy a PTHREAD_RWLOCK_INITIALIZER one", pthread_rwlock_destroy(&s));
  return 0;
}
