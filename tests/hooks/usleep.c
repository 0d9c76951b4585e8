/*
 * Description: usleep(3): usleep(50000) returns 0 after at least 50 ms while
 * another thread runs; ten threads sleeping 200 ms each at once finish in
 * well under 10 x 200 ms; usleep(0) returns 0; a usleep interrupted by a
 * SIGALRM handler fails with EINTR.
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
  return (void *)(long)usleep(200000);
}

int main(void)
{
  start();
  struct ticker k;
  ticker_start(&k, 20);
  double t0 = now_ms();
  SYS("usleep(50000)", usleep(50000));
  printf("slept at least 50ms: %s\n", yesno(now_ms() - t0 >= 49));
  printf("another thread ran meanwhile: %s\n", yesno(ticker_ran(&k)));

  pthread_t t[10];
  t0 = now_ms();
  for (int i = 0; i < 10; i++)
    t[i] = spawn(sleeper, NULL);
  long sum = 0;
  for (int i = 0; i < 10; i++)
    sum += (long)join(t[i]);
  double dt = now_ms() - t0;
  printf("10 threads x usleep(200000): sum of returns %ld, "
         "at least 200ms: %s, under 1s: %s\n",
         sum, yesno(dt >= 199), yesno(dt < 1000));

  SYS("usleep(0)", usleep(0));
  on_signal(SIGALRM, on_alarm, 0);
  alarm_ms(50);
  SYS("usleep(2000000) interrupted after 50ms", usleep(2000000));
  printf("handler calls: %d\n", (int)alarms);
  return 0;
}
