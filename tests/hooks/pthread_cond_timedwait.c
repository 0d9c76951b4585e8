/*
 * Description: pthread_cond_timedwait(3).  Default clock (CLOCK_REALTIME):
 * ETIMEDOUT 100 ms on, with the mutex held again (ERRORCHECK unlock
 * succeeds) and other threads running meanwhile; signalled 50 ms into a 2 s
 * deadline: 0 well before it; a deadline already past: ETIMEDOUT at once; a
 * bad deadline EINVAL.  With a condattr on CLOCK_MONOTONIC the deadline is
 * on that clock: +100 ms times out after 100 ms, not at once.
 */
#include "snippet.h"

static pthread_mutex_t m;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static int ready;

static void *signaller(void *arg)
{
  (void)arg;
  sleep_ms(50);
  CHECK(pthread_mutex_lock(&m) == 0);
  ready = 1;
  CHECK(pthread_cond_signal(&c) == 0);
  CHECK(pthread_mutex_unlock(&m) == 0);
  return NULL;
}

static void timed(const char *what, pthread_cond_t *cv, clockid_t clock,
                  long ms)
{
  struct timespec dl = abs_in(clock, ms);
  CHECK(pthread_mutex_lock(&m) == 0);
  double t0 = now_ms();
  int r = pthread_cond_timedwait(cv, &m, &dl);
  double dt = now_ms() - t0;
  printf("%s: %s, held after: %s\n", what, errname(r),
         yesno(pthread_mutex_unlock(&m) == 0));
  if (ms > 0)
    printf("  waited 90ms to 2s: %s\n", yesno(dt >= 90 && dt < 2000));
  else
    printf("  at once: %s\n", yesno(dt < 40));
}

int main(void)
{
  start();
  pthread_mutexattr_t a;
  CHECK(pthread_mutexattr_init(&a) == 0);
  CHECK(pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK) == 0);
  CHECK(pthread_mutex_init(&m, &a) == 0);

  struct ticker k;
  ticker_start(&k, 30);
  timed("timedwait +100ms", &c, CLOCK_REALTIME, 100);
  printf("  another thread ran meanwhile: %s\n", yesno(ticker_ran(&k)));
  timed("timedwait, deadline past", &c, CLOCK_REALTIME, -100);

  pthread_t t = spawn(signaller, NULL);
  struct timespec dl = abs_in(CLOCK_REALTIME, 2000);
  CHECK(pthread_mutex_lock(&m) == 0);
  double t0 = now_ms();
  int r = 0;
  while (!ready && r == 0)
    r = pthread_cond_timedwait(&c, &m, &dl);
  double dt = now_ms() - t0;
  CHECK(pthread_mutex_unlock(&m) == 0);
  printf("timedwait +2s, signalled at 50ms: %s, took 40ms to 1.5s: %s\n",
         errname(r), yesno(dt >= 40 && dt < 1500));
  join(t);
  struct timespec bad = {0, 2000000000};
  CHECK(pthread_mutex_lock(&m) == 0);
  ERR("timedwait, bad deadline", pthread_cond_timedwait(&c, &m, &bad));
  CHECK(pthread_mutex_unlock(&m) == 0);

  pthread_condattr_t ca;
  pthread_cond_t mc;
  CHECK(pthread_condattr_init(&ca) == 0);
  CHECK(pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0);
  CHECK(pthread_cond_init(&mc, &ca) == 0);
  timed("CLOCK_MONOTONIC condattr, timedwait +100ms", &mc, CLOCK_MONOTONIC,
        100);
  return 0;
}
