/*
 * Description: pthread_mutex_unlock(3).  Unlocking wakes a thread waiting
 * in pthread_mutex_lock, which then sees what the owner wrote just before;
 * three waiters all get the mutex in turn.  ERRORCHECK: unlocking a mutex
 * nobody holds, or one another thread holds, is EPERM.  RECURSIVE: each
 * lock needs its unlock.
 */
#include "snippet.h"

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER, e;
static int released, saw, turns;

static void *waiter(void *arg)
{
  (void)arg;
  CHECK(pthread_mutex_lock(&m) == 0);
  saw = released;
  turns++;
  CHECK(pthread_mutex_unlock(&m) == 0);
  return NULL;
}

static void *unlock_e(void *arg)
{
  (void)arg;
  return (void *)(long)pthread_mutex_unlock(&e);
}

int main(void)
{
  start();
  CHECK(pthread_mutex_lock(&m) == 0);
  pthread_t t = spawn(waiter, NULL);
  sleep_ms(50);
  released = 1;
  ERR("unlock with a thread waiting", pthread_mutex_unlock(&m));
  join(t);
  printf("the waiter got it and saw the owner's write: %s\n", yesno(saw));

  CHECK(pthread_mutex_lock(&m) == 0);
  pthread_t w[3];
  for (int i = 0; i < 3; i++)
    w[i] = spawn(waiter, NULL);
  sleep_ms(50);
  ERR("unlock with three waiting", pthread_mutex_unlock(&m));
  for (int i = 0; i < 3; i++)
    join(w[i]);
  printf("waiters that got the mutex, in all: %d\n", turns);

  pthread_mutexattr_t a;
  CHECK(pthread_mutexattr_init(&a) == 0);
  CHECK(pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK) == 0);
  CHECK(pthread_mutex_init(&e, &a) == 0);
  ERR("ERRORCHECK: unlock, not held", pthread_mutex_unlock(&e));
  CHECK(pthread_mutex_lock(&e) == 0);
  printf("ERRORCHECK: unlock from another thread: %s\n",
         errname((int)(long)join(spawn(unlock_e, NULL))));
  ERR("ERRORCHECK: unlock by the owner", pthread_mutex_unlock(&e));

  pthread_mutex_t r;
  CHECK(pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE) == 0);
  CHECK(pthread_mutex_init(&r, &a) == 0);
  CHECK(pthread_mutex_lock(&r) == 0 && pthread_mutex_lock(&r) == 0);
  ERR("RECURSIVE, locked twice: unlock", pthread_mutex_unlock(&r));
  ERR("  trylock from the owner still works", pthread_mutex_trylock(&r));
  ERR("  unlock", pthread_mutex_unlock(&r));
  ERR("  unlock", pthread_mutex_unlock(&r));
  ERR("  unlock, not held", pthread_mutex_unlock(&r));
  return 0;
}
