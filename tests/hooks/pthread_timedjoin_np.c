/*
 * Description: pthread_timedjoin_np(3), with a CLOCK_REALTIME deadline:
 * ETIMEDOUT 100 ms on while the thread is blocked on a pipe (not before the
 * deadline, other threads running meanwhile); released 50 ms into a 2 s
 * deadline, it returns 0 and the retval well before the deadline.
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
  struct timespec dl = abs_in(CLOCK_REALTIME, 100);
  double t0 = now_ms();
  ERR("timedjoin, 100ms, thread blocked", pthread_timedjoin_np(t, NULL, &dl));
  double dt = now_ms() - t0;
  printf("waited 90ms to 2s: %s\n", yesno(dt >= 90 && dt < 2000));
  printf("another thread ran meanwhile: %s\n", yesno(ticker_ran(&k)));

  struct later w = {p[1], "done", 50, 0};
  pthread_t wt = spawn(later_fn, &w);
  dl = abs_in(CLOCK_REALTIME, 2000);
  void *r = NULL;
  t0 = now_ms();
  ERR("timedjoin, 2s, released at 50ms", pthread_timedjoin_np(t, &r, &dl));
  printf("retval %ld, took 40ms to 1.5s: %s\n", (long)r,
         yesno(now_ms() - t0 >= 40 && now_ms() - t0 < 1500));
  join(wt);
  return 0;
}
