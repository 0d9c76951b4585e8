/*
 * Description: __pthread_unwind_next, which each cleanup handler's frame
 * calls to go on to the next one while a thread exits.  Three nested
 * handlers around a function two calls deep that calls pthread_exit: all
 * three run, innermost first, then the key destructor, and join gets the
 * value.  A handler that itself parks (a sleep) does not break the chain.
 */
#include "snippet.h"

static pthread_key_t key;

static void say(void *arg)
{
  printf("  cleanup %s\n", (const char *)arg);
}

static void slow(void *arg)
{
  sleep_ms(30);
  printf("  cleanup %s, after a sleep\n", (const char *)arg);
}

static void dtor(void *arg)
{
  printf("  key destructor: %s\n", (const char *)arg);
}

static void leave(void)
{
  pthread_exit((void *)9L);
}

static void deeper(void)
{
  leave();
}

static void *worker(void *arg)
{
  (void)arg;
  CHECK(pthread_setspecific(key, "set") == 0);
  pthread_cleanup_push(say, "1 (outermost)");
  pthread_cleanup_push(slow, "2");
  pthread_cleanup_push(say, "3 (innermost)");
  deeper();
  pthread_cleanup_pop(0);
  pthread_cleanup_pop(0);
  pthread_cleanup_pop(0);
  return NULL;
}

int main(void)
{
  start();
  CHECK(pthread_key_create(&key, dtor) == 0);
  printf("value: %ld\n", (long)join(spawn(worker, NULL)));
  return 0;
}
