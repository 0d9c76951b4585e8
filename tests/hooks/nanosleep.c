/*
 * Description: nanosleep(2): a relative 50 ms sleep returns 0 after at least
 * 50 ms while another thread runs; two threads sleeping 300 ms at once
 * finish together; a 1 s sleep interrupted by a SIGALRM handler at 100 ms
 * fails with EINTR and *rem holds the rest (between 0.5 and 0.95 s) -- even
 * with SA_RESTART, which never restarts nanosleep; tv_nsec of a billion is
 * EINVAL.
 */
#include "snippet.h"

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
  (void)sig;
  alarms++;
}

static void *sleeper(void *arg)
{
  (void)arg;
  struct timespec ts = {0, 300000000};
  return (void *)(long)nanosleep(&ts, NULL);
}

int main(void)
{
  start();
  struct ticker k;
  ticker_start(&k, 20);
  struct timespec ts = {0, 50000000}, rem;
  double t0 = now_ms();
  SYS("nanosleep 50ms", nanosleep(&ts, NULL));
  printf("slept at least 50ms: %s\n", yesno(now_ms() - t0 >= 49));
  printf("another thread ran meanwhile: %s\n", yesno(ticker_ran(&k)));

  t0 = now_ms();
  pthread_t a = spawn(sleeper, NULL), b = spawn(sleeper, NULL);
  long ra = (long)join(a), rb = (long)join(b);
  double dt = now_ms() - t0;
  printf("two concurrent 300ms sleeps: %ld %ld, at least 300ms: %s, "
         "under 550ms: %s\n",
         ra, rb, yesno(dt >= 299), yesno(dt < 550));

  for (int restart = 0; restart <= 1; restart++) {
    on_signal(SIGALRM, on_alarm, restart ? SA_RESTART : 0);
    alarm_ms(100);
    ts = (struct timespec){1, 0};
    printf("%s:\n", restart ? "with SA_RESTART" : "without SA_RESTART");
    SYS("  nanosleep 1s interrupted at 100ms", nanosleep(&ts, &rem));
    double left = rem.tv_sec + rem.tv_nsec / 1e9;
    printf("  rem between 0.5s and 0.95s: %s, handler calls: %d\n",
           yesno(left > 0.5 && left < 0.95), (int)alarms);
  }
  ts = (struct timespec){0, 1000000000};
  SYS("nanosleep with tv_nsec 1e9", nanosleep(&ts, NULL));
  ts = (struct timespec){-1, 0};
  SYS("nanosleep with tv_sec -1", nanosleep(&ts, NULL));
  return 0;
}
