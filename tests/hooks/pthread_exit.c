/*
 * Description: pthread_exit(3).  Called from a nested function, it ends the
 * thread with its value (join gets 7); cleanup handlers run in reverse
 * order, then key destructors.  When the main thread calls pthread_exit,
 * the process lives on until the last thread is done: that thread, blocked
 * on a sleep, prints last, and the process exits 0.
 */
#include "snippet.h"

static pthread_key_t key;

static void cleanup(void *arg)
{
  printf("  cleanup %s\n", (const char *)arg);
}

static void dtor(void *arg)
{
  printf("  key destructor for %s\n", (const char *)arg);
}

static void leave(void)
{
  pthread_exit((void *)7L);
}

static void *worker(void *arg)
{
  (void)arg;
  CHECK(pthread_setspecific(key, "worker") == 0);
  pthread_cleanup_push(cleanup, "outer");
  pthread_cleanup_push(cleanup, "inner");
  leave();
  pthread_cleanup_pop(0);
  pthread_cleanup_pop(0);
  return NULL;
}

static void *last(void *arg)
{
  (void)arg;
  sleep_ms(100);
  printf("last thread: done after main's pthread_exit\n");
  return NULL;
}

int main(void)
{
  start();
  CHECK(pthread_key_create(&key, dtor) == 0);
  printf("thread calls pthread_exit(7) from a nested function:\n");
  printf("join: retval %ld\n", (long)join(spawn(worker, NULL)));
  printf("main: pthread_exit\n");
  spawn(last, NULL);
  pthread_exit(NULL);
}
