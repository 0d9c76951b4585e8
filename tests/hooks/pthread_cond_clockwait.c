/*
 * Description: pthread_cond_clockwait(3), deadline on a chosen clock:
 * CLOCK_MONOTONIC +100 ms and CLOCK_REALTIME +100 ms time out after 100 ms
 * (not before, other threads running meanwhile) with the mutex held again;
 * signalled 50 ms into a 2 s monotonic deadline: 0 well before it; another
 * clock is EINVAL.
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

int main(void)
{
  start();
  pthread_mutexattr_t a;
  CHECK(pthread_mutexattr_init(&a) == 0);
  CHECK(pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK) == 0);
  CHECK(pthread_mutex_init(&m, &a) == 0);
  clockid_t clocks[2] = {CLOCK_MONOTONIC, CLOCK_REALTIME};
  const char *names[2] = {"CLOCK_MONOTONIC", "CLOCK_REALTIME"};
  for (int i = 0; i < 2; i++) {
    struct ticker k;
    ticker_start(&k, 30);
    struct timespec dl = abs_in(clocks[i], 100);
    CHECK(pthread_mutex_lock(&m) == 0);
    double t0 = now_ms();
    int r = pthread_cond_clockwait(&c, &m, clocks[i], &dl);
    double dt = now_ms() - t0;
    printf("clockwait %s +100ms: %s, held after: %s\n", names[i], errname(r),
           yesno(pthread_mutex_unlock(&m) == 0));
    printf("  waited 90ms to 2s: %s, another thread ran meanwhile: %s\n",
           yesno(dt >= 90 && dt < 2000), yesno(ticker_ran(&k)));
  }

  pthread_t t = spawn(signaller, NULL);
  struct timespec dl = abs_in(CLOCK_MONOTONIC, 2000);
  CHECK(pthread_mutex_lock(&m) == 0);
  double t0 = now_ms();
  int r = 0;
  while (!ready && r == 0)
    r = pthread_cond_clockwait(&c, &m, CLOCK_MONOTONIC, &dl);
  double dt = now_ms() - t0;
  ERR("clockwait CLOCK_PROCESS_CPUTIME_ID",
      pthread_cond_clockwait(&c, &m, CLOCK_PROCESS_CPUTIME_ID, &dl));
  CHECK(pthread_mutex_unlock(&m) == 0);
  printf("clockwait +2s, signalled at 50ms: %s, took 40ms to 1.5s: %s\n",
         errname(r), yesno(dt >= 40 && dt < 1500));
  join(t);
  return 0;
}
