/*
 * Description: pthread_cond_wait(3) in a producer/consumer queue: two
 * consumers wait on an empty queue; a producer puts 1..100 in with short
 * sleeps, signalling each time; the consumers take all 100 (sum 5050), each
 * returning from wait with the mutex held (ERRORCHECK unlock succeeds).
 */
#include "snippet.h"

static pthread_mutex_t m;
static pthread_cond_t nonempty = PTHREAD_COND_INITIALIZER;
static int queue[128], head, tail, closed;
static long sum;
static int taken, unlock_errors;

static void *consumer(void *arg)
{
  (void)arg;
  for (;;) {
    CHECK(pthread_mutex_lock(&m) == 0);
    while (head == tail && !closed)
      CHECK(pthread_cond_wait(&nonempty, &m) == 0);
    if (head == tail) {
      unlock_errors += pthread_mutex_unlock(&m) != 0;
      return NULL;
    }
    sum += queue[head++ % 128];
    taken++;
    unlock_errors += pthread_mutex_unlock(&m) != 0;
  }
}

int main(void)
{
  start();
  pthread_mutexattr_t a;
  CHECK(pthread_mutexattr_init(&a) == 0);
  CHECK(pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK) == 0);
  CHECK(pthread_mutex_init(&m, &a) == 0);
  pthread_t c1 = spawn(consumer, NULL), c2 = spawn(consumer, NULL);
  sleep_ms(30);
  for (int i = 1; i <= 100; i++) {
    if (i % 10 == 0)
      sleep_ms(5);
    CHECK(pthread_mutex_lock(&m) == 0);
    queue[tail++ % 128] = i;
    CHECK(pthread_cond_signal(&nonempty) == 0);
    CHECK(pthread_mutex_unlock(&m) == 0);
  }
  CHECK(pthread_mutex_lock(&m) == 0);
  closed = 1;
  CHECK(pthread_cond_broadcast(&nonempty) == 0);
  CHECK(pthread_mutex_unlock(&m) == 0);
  join(c1);
  join(c2);
  printf("consumers took %d items, sum %ld\n", taken, sum);
  printf("mutex held on every return from wait: %s\n", yesno(!unlock_errors));
  return 0;
}
