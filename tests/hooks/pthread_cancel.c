/*
 * Description: pthread_cancel(3), deferred, at the blocking calls that are
 * cancellation points.  A thread blocked in read on a pipe is cancelled: its
 * cleanup handler runs, join gets PTHREAD_CANCELED.  The same for a thread
 * in nanosleep, and for one in pthread_cond_wait, whose cleanup handler
 * finds the mutex re-acquired (unlocking it succeeds).  Cancelling a thread
 * that has already returned is 0 and join gets its own value.
 */
#include "snippet.h"

static int p[2];
static int cleanups;
static pthread_mutex_t m;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static int unlock_in_cleanup = -1;

static void count(void *arg)
{
  (void)arg;
  cleanups++;
}

static void unlock(void *arg)
{
  (void)arg;
  unlock_in_cleanup = pthread_mutex_unlock(&m);
}

static void *reader(void *arg)
{
  (void)arg;
  char b[8];
  pthread_cleanup_push(count, NULL);
  read(p[0], b, sizeof(b));
  pthread_cleanup_pop(0);
  return (void *)1L;
}

static void *sleeper(void *arg)
{
  (void)arg;
  pthread_cleanup_push(count, NULL);
  sleep(3);
  pthread_cleanup_pop(0);
  return (void *)1L;
}

static void *waiter(void *arg)
{
  (void)arg;
  CHECK(pthread_mutex_lock(&m) == 0);
  pthread_cleanup_push(unlock, NULL);
  for (;;)
    pthread_cond_wait(&c, &m);
  pthread_cleanup_pop(0);
  return NULL;
}

static void *quick(void *arg)
{
  return arg;
}

static void cancel_and_join(const char *what, pthread_t t)
{
  sleep_ms(50);
  printf("%s:\n", what);
  ERR("  cancel", pthread_cancel(t));
  void *r = NULL;
  ERR("  join", pthread_join(t, &r));
  printf("  PTHREAD_CANCELED: %s\n", yesno(r == PTHREAD_CANCELED));
}

int main(void)
{
  start();
  CHECK(pipe(p) == 0);
  pthread_mutexattr_t ma;
  CHECK(pthread_mutexattr_init(&ma) == 0);
  CHECK(pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ERRORCHECK) == 0);
  CHECK(pthread_mutex_init(&m, &ma) == 0);

  cancel_and_join("a thread blocked in read", spawn(reader, NULL));
  cancel_and_join("a thread in sleep", spawn(sleeper, NULL));
  printf("cleanup handlers run: %d\n", cleanups);
  cancel_and_join("a thread in pthread_cond_wait", spawn(waiter, NULL));
  printf("unlocking the mutex in its cleanup handler: %s\n",
         unlock_in_cleanup == -1 ? "the handler did not run"
                                 : errname(unlock_in_cleanup));
  ERR("the mutex is free again: trylock", pthread_mutex_trylock(&m));
  CHECK(pthread_mutex_unlock(&m) == 0);

  pthread_t t = spawn(quick, (void *)5L);
  sleep_ms(50);
  ERR("cancel a thread that already returned", pthread_cancel(t));
  printf("join gets its own value: %ld\n", (long)join(t));
  return 0;
}
