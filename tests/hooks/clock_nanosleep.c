/*
 * Description: clock_nanosleep(2), which returns an error number rather
 * than setting errno.  Relative 50 ms on CLOCK_MONOTONIC while another
 * thread runs; TIMER_ABSTIME 100 ms ahead on CLOCK_MONOTONIC and on
 * CLOCK_REALTIME (wakes no earlier than the target); an absolute time in the
 * past returns 0 at once; interrupted by a SIGALRM handler, EINTR with *rem
 * set for a relative sleep; an unsupported clock and a bad tv_nsec EINVAL.
 */
#include "snippet.h"

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
  (void)sig;
  alarms++;
}

static int reached(clockid_t c, struct timespec target)
{
  struct timespec now;
  clock_gettime(c, &now);
  return now.tv_sec > target.tv_sec ||
         (now.tv_sec == target.tv_sec && now.tv_nsec >= target.tv_nsec);
}

int main(void)
{
  start();
  struct ticker k;
  ticker_start(&k, 20);
  struct timespec ts = {0, 50000000}, rem;
  double t0 = now_ms();
  ERR("relative 50ms, CLOCK_MONOTONIC",
      clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL));
  printf("slept at least 50ms: %s\n", yesno(now_ms() - t0 >= 49));
  printf("another thread ran meanwhile: %s\n", yesno(ticker_ran(&k)));

  clockid_t clocks[2] = {CLOCK_MONOTONIC, CLOCK_REALTIME};
  const char *names[2] = {"CLOCK_MONOTONIC", "CLOCK_REALTIME"};
  for (int i = 0; i < 2; i++) {
    struct timespec target = abs_in(clocks[i], 100);
    t0 = now_ms();
    printf("TIMER_ABSTIME +100ms, %s: %s\n", names[i],
           errname(clock_nanosleep(clocks[i], TIMER_ABSTIME, &target, NULL)));
    printf("  target reached: %s, took under 1s: %s\n",
           yesno(reached(clocks[i], target)), yesno(now_ms() - t0 < 1000));
  }
  struct timespec past = abs_in(CLOCK_MONOTONIC, -500);
  t0 = now_ms();
  ERR("TIMER_ABSTIME in the past",
      clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL));
  printf("  took under 50ms: %s\n", yesno(now_ms() - t0 < 50));

  on_signal(SIGALRM, on_alarm, SA_RESTART);
  alarm_ms(100);
  ts = (struct timespec){1, 0};
  ERR("relative 1s interrupted at 100ms",
      clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &rem));
  double left = rem.tv_sec + rem.tv_nsec / 1e9;
  printf("  rem between 0.5s and 0.95s: %s, handler calls: %d\n",
         yesno(left > 0.5 && left < 0.95), (int)alarms);

  ts = (struct timespec){0, 1000};
  ERR("CLOCK_THREAD_CPUTIME_ID",
      clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &ts, NULL));
  ts = (struct timespec){0, 1000000000};
  ERR("tv_nsec 1e9", clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL));
  return 0;
}
