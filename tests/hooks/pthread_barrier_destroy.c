/*
 * Description: pthread_barrier_destroy(3): a barrier two threads went
 * through (one of them waiting 50 ms for the other) is destroyed (0) and
 * can be initialised again with another count and used.
 */
#include "snippet.h"

static pthread_barrier_t b;

static void *arrive(void *arg)
{
  sleep_ms((long)arg);
  return (void *)(long)pthread_barrier_wait(&b);
}

int main(void)
{
  start();
  CHECK(pthread_barrier_init(&b, NULL, 2) == 0);
  pthread_t t = spawn(arrive, (void *)50L);
  int r = pthread_barrier_wait(&b);
  CHECK(r == 0 || r == PTHREAD_BARRIER_SERIAL_THREAD);
  join(t);
  ERR("destroy after use", pthread_barrier_destroy(&b));
  ERR("init again with count 3", pthread_barrier_init(&b, NULL, 3));
  pthread_t t1 = spawn(arrive, (void *)20L), t2 = spawn(arrive, (void *)40L);
  int serial = pthread_barrier_wait(&b) == PTHREAD_BARRIER_SERIAL_THREAD;
  serial += (long)join(t1) == PTHREAD_BARRIER_SERIAL_THREAD;
  serial += (long)join(t2) == PTHREAD_BARRIER_SERIAL_THREAD;
  printf("three went through, serial threads: %d\n", serial);
  ERR("destroy", pthread_barrier_destroy(&b));
  return 0;
}
