/*
 * Description: pthread_cond_init(3) and the attributes it takes.  NULL
 * attributes: a wait woken by a signal from another thread (50 ms);
 * a condattr with CLOCK_MONOTONIC: pthread_condattr_getclock reads it back
 * and timedwait then measures its deadline on the monotonic clock (a
 * deadline 100 ms ahead on that clock times out after 100 ms, not at once);
 * PTHREAD_COND_INITIALIZER works like NULL attributes.
 */
#include "snippet.h"

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c, s = PTHREAD_COND_INITIALIZER;
static int ready;

static void *signaller(void *arg)
{
  sleep_ms(50);
  pthread_mutex_lock(&m);
  ready = 1;
  pthread_cond_signal(arg);
  pthread_mutex_unlock(&m);
  return NULL;
}

static void wait_ready(pthread_cond_t *cv)
{
  ready = 0;
  pthread_t t = spawn(signaller, cv);
  double t0 = now_ms();
  CHECK(pthread_mutex_lock(&m) == 0);
  int r = 0;
  while (!ready && r == 0)
    r = pthread_cond_wait(cv, &m);
  CHECK(pthread_mutex_unlock(&m) == 0);
  printf("  wait until signalled: %s, waited at least 40ms: %s\n", errname(r),
         yesno(now_ms() - t0 >= 40));
  join(t);
}

int main(void)
{
  start();
  ERR("init with NULL attributes", pthread_cond_init(&c, NULL));
  wait_ready(&c);
  CHECK(pthread_cond_destroy(&c) == 0);

  pthread_condattr_t a;
  clockid_t clock = -1;
  CHECK(pthread_condattr_init(&a) == 0);
  CHECK(pthread_condattr_setclock(&a, CLOCK_MONOTONIC) == 0);
  ERR("init with CLOCK_MONOTONIC", pthread_cond_init(&c, &a));
  CHECK(pthread_condattr_getclock(&a, &clock) == 0);
  printf("  condattr clock is CLOCK_MONOTONIC: %s\n",
         yesno(clock == CLOCK_MONOTONIC));
  struct timespec dl = abs_in(CLOCK_MONOTONIC, 100);
  double t0 = now_ms();
  CHECK(pthread_mutex_lock(&m) == 0);
  ERR("  timedwait, monotonic deadline +100ms",
      pthread_cond_timedwait(&c, &m, &dl));
  CHECK(pthread_mutex_unlock(&m) == 0);
  double dt = now_ms() - t0;
  printf("  waited 90ms to 2s: %s\n", yesno(dt >= 90 && dt < 2000));
  wait_ready(&c);
  CHECK(pthread_cond_destroy(&c) == 0);

  printf("PTHREAD_COND_INITIALIZER:\n");
  wait_ready(&s);
  return 0;
}
