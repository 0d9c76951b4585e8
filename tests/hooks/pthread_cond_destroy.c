/*
 * Description: pthread_cond_destroy(3): a condition variable that was waited
 * on (a thread woken by a broadcast after 50 ms, now gone) is destroyed (0)
 * and can be initialised again and used; one never used, and a static
 * PTHREAD_COND_INITIALIZER one, are destroyed too.
 */
#include "snippet.h"

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c, s = PTHREAD_COND_INITIALIZER;
static int go;

static void *waiter(void *arg)
{
  (void)arg;
  CHECK(pthread_mutex_lock(&m) == 0);
  while (!go)
    CHECK(pthread_cond_wait(&c, &m) == 0);
  CHECK(pthread_mutex_unlock(&m) == 0);
  return NULL;
}

static void use(void)
{
  go = 0;
  pthread_t t = spawn(waiter, NULL);
  sleep_ms(50);
  CHECK(pthread_mutex_lock(&m) == 0);
  go = 1;
  CHECK(pthread_cond_broadcast(&c) == 0);
  CHECK(pthread_mutex_unlock(&m) == 0);
  join(t);
}

int main(void)
{
  start();
  CHECK(pthread_cond_init(&c, NULL) == 0);
  use();
  ERR("destroy after use", pthread_cond_destroy(&c));
  ERR("init again", pthread_cond_init(&c, NULL));
  use();
  printf("used again: yes\n");
  ERR("destroy", pthread_cond_destroy(&c));
  CHECK(pthread_cond_init(&c, NULL) == 0);
  ERR("destroy one never used", pthread_cond_destroy(&c));
  ERR("destroy a PTHREAD_COND_INITIALIZER one", pthread_cond_destroy(&s));
  return 0;
}
