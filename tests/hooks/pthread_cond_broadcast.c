/*
 * Description: pthread_cond_broadcast(3) wakes every waiter: five threads
 * wait at a gate; one broadcast after 50 ms lets all five through, each
 * having waited; a broadcast with nobody waiting is 0 and not remembered.
 */
#include "snippet.h"

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static int open_gate, passed;

static void *waiter(void *arg)
{
  (void)arg;
  double t0 = now_ms();
  CHECK(pthread_mutex_lock(&m) == 0);
  while (!open_gate)
    CHECK(pthread_cond_wait(&c, &m) == 0);
  passed++;
  CHECK(pthread_mutex_unlock(&m) == 0);
  return (void *)(long)(now_ms() - t0 >= 30);
}

int main(void)
{
  start();
  pthread_t t[5];
  for (int i = 0; i < 5; i++)
    t[i] = spawn(waiter, NULL);
  sleep_ms(50);
  CHECK(pthread_mutex_lock(&m) == 0);
  printf("passed before the broadcast: %d\n", passed);
  open_gate = 1;
  ERR("broadcast", pthread_cond_broadcast(&c));
  CHECK(pthread_mutex_unlock(&m) == 0);
  int waited = 0;
  for (int i = 0; i < 5; i++)
    waited += join(t[i]) != NULL;
  printf("passed: %d, each having waited: %d\n", passed, waited);

  ERR("broadcast with nobody waiting", pthread_cond_broadcast(&c));
  struct timespec dl = abs_in(CLOCK_REALTIME, 100);
  CHECK(pthread_mutex_lock(&m) == 0);
  ERR("a later timedwait +100ms", pthread_cond_timedwait(&c, &m, &dl));
  CHECK(pthread_mutex_unlock(&m) == 0);
  return 0;
}
