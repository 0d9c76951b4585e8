/*
 * Description: pthread_barrier_init(3): a count of 0 is EINVAL; with a count
 * of 1 pthread_barrier_wait returns PTHREAD_BARRIER_SERIAL_THREAD at once;
 * with a count of 3, two threads wait until a third arrives 50 ms later,
 * and exactly one of the three is the serial thread.
 */
#include "snippet.h"

static pthread_barrier_t b;

static void *arrive(void *arg)
{
  (void)arg;
  return (void *)(long)pthread_barrier_wait(&b);
}

int main(void)
{
  start();
  ERR("init with count 0", pthread_barrier_init(&b, NULL, 0));
  ERR("init with count 1", pthread_barrier_init(&b, NULL, 1));
  printf("  wait: PTHREAD_BARRIER_SERIAL_THREAD: %s\n",
         yesno(pthread_barrier_wait(&b) == PTHREAD_BARRIER_SERIAL_THREAD));
  CHECK(pthread_barrier_destroy(&b) == 0);

  ERR("init with count 3", pthread_barrier_init(&b, NULL, 3));
  pthread_t t1 = spawn(arrive, NULL), t2 = spawn(arrive, NULL);
  sleep_ms(50);
  double t0 = now_ms();
  int serial = pthread_barrier_wait(&b) == PTHREAD_BARRIER_SERIAL_THREAD;
  printf("  the third arrival passes at once: %s\n", yesno(now_ms() - t0 < 40));
  serial += (long)join(t1) == PTHREAD_BARRIER_SERIAL_THREAD;
  serial += (long)join(t2) == PTHREAD_BARRIER_SERIAL_THREAD;
  printf("  serial threads: %d\n", serial);
  CHECK(pthread_barrier_destroy(&b) == 0);
  return 0;
}
