/*
 * Description: pthread_cond_signal(3) wakes one waiter.  Three threads wait
 * for tokens; each signal (with one token added) lets exactly one of them
 * through, the others keep waiting; a signal with nobody waiting is not
 * remembered: a later timedwait still times out.
 */
#include "snippet.h"

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static int tokens, passed;

static void *waiter(void *arg)
{
  (void)arg;
  CHECK(pthread_mutex_lock(&m) == 0);
  while (tokens == 0)
    CHECK(pthread_cond_wait(&c, &m) == 0);
  tokens--;
  passed++;
  CHECK(pthread_mutex_unlock(&m) == 0);
  return NULL;
}

static int passed_now(void)
{
  CHECK(pthread_mutex_lock(&m) == 0);
  int p = passed;
  CHECK(pthread_mutex_unlock(&m) == 0);
  return p;
}

int main(void)
{
  start();
  pthread_t t[3];
  for (int i = 0; i < 3; i++)
    t[i] = spawn(waiter, NULL);
  sleep_ms(50);
  printf("before any signal, passed: %d\n", passed_now());
  for (int i = 0; i < 3; i++) {
    CHECK(pthread_mutex_lock(&m) == 0);
    tokens++;
    ERR("signal", pthread_cond_signal(&c));
    CHECK(pthread_mutex_unlock(&m) == 0);
    sleep_ms(50);
    printf("  passed: %d\n", passed_now());
  }
  for (int i = 0; i < 3; i++)
    join(t[i]);

  ERR("signal with nobody waiting", pthread_cond_signal(&c));
  struct timespec dl = abs_in(CLOCK_REALTIME, 100);
  CHECK(pthread_mutex_lock(&m) == 0);
  ERR("a later timedwait +100ms", pthread_cond_timedwait(&c, &m, &dl));
  CHECK(pthread_mutex_unlock(&m) == 0);
  return 0;
}
