/*
 * Description: pthread_clockjoin_np(3), with a deadline on a chosen clock.
 * On CLOCK_MONOTONIC: ETIMEDOUT 100 ms on while the thread is blocked (not
 * before, other threads running meanwhile); released 50 ms into a 2 s
 * deadline, 0 and the retval; a clock other than MONOTONIC or REALTIME is
 * EINVAL; CLOCK_REALTIME works as well.
 */
#include "snippet.h"

static int p[2];

static void *reader(void *arg)
{
  (void)arg;
  char b[8];
  return (void *)read(p[0], b, sizeof(b));
}

int main(void)
{
  start();
  CHECK(pipe(p) == 0);
  pthread_t t = spawn(reader, NULL);
  struct ticker k;
  ticker_start(&k, 30);
  struct timespec dl = abs_in(CLOCK_MONOTONIC, 100);
  double t0 = now_ms();
  ERR("clockjoin, CLOCK_MONOTONIC 100ms",
      pthread_clockjoin_np(t, NULL, CLOCK_MONOTONIC, &dl));
  double dt = now_ms() - t0;
  printf("waited 90ms to 2s: %s\n", yesno(dt >= 90 && dt < 2000));
  printf("another thread ran meanwhile: %s\n", yesno(ticker_ran(&k)));
  dl = abs_in(CLOCK_REALTIME, 50);
  ERR("clockjoin, CLOCK_REALTIME 50ms",
      pthread_clockjoin_np(t, NULL, CLOCK_REALTIME, &dl));
  ERR("clockjoin, CLOCK_PROCESS_CPUTIME_ID",
      pthread_clockjoin_np(t, NULL, CLOCK_PROCESS_CPUTIME_ID, &dl));

  struct later w = {p[1], "done", 50, 0};
  pthread_t wt = spawn(later_fn, &w);
  dl = abs_in(CLOCK_MONOTONIC, 2000);
  void *r = NULL;
  t0 = now_ms();
  ERR("clockjoin, 2s, released at 50ms",
      pthread_clockjoin_np(t, &r, CLOCK_MONOTONIC, &dl));
  printf("retval %ld, took 40ms to 1.5s: %s\n", (long)r,
         yesno(now_ms() - t0 >= 40 && now_ms() - t0 < 1500));
  join(wt);
  return 0;
}
