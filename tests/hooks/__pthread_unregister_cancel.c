/*
 * Description: __pthread_unregister_cancel, what pthread_cleanup_pop calls.
 * A handler pushed and popped with execute 0 never runs, even when the
 * thread later exits through pthread_exit; a handler still pushed at that
 * point does.  Pops in another thread meanwhile do not disturb this one.
 */
#include "snippet.h"

static void say(void *arg)
{
  printf("  cleanup %s\n", (const char *)arg);
}

static void *other(void *arg)
{
  (void)arg;
  for (int i = 0; i < 3; i++) {
    pthread_cleanup_push(say, "other, popped with 0");
    sleep_ms(10);
    pthread_cleanup_pop(0);
  }
  return NULL;
}

static void *worker(void *arg)
{
  (void)arg;
  pthread_cleanup_push(say, "still pushed at exit");
  pthread_cleanup_push(say, "popped with 0: never runs");
  sleep_ms(20);
  pthread_cleanup_pop(0);
  sleep_ms(20);
  pthread_exit((void *)5L);
  pthread_cleanup_pop(0);
  return NULL;
}

int main(void)
{
  start();
  pthread_t o = spawn(other, NULL);
  pthread_t w = spawn(worker, NULL);
  printf("worker's value: %ld\n", (long)join(w));
  join(o);
  return 0;
}
