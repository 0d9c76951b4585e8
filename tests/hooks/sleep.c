/*
 * Description: sleep(3): sleep(1) returns 0 after at least a second, while
 * another thread keeps running; two threads sleeping a second each at the
 * same time finish together, not one after the other; sleep(0) returns 0
 * at once; a sleep(3) interrupted by a SIGALRM handler 100 ms in returns
 * the whole seconds left (2: glibc truncates the 2.9 s).
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
  return (void *)(long)sleep(1);
}

int main(void)
{
  start();
  struct ticker k;
  ticker_start(&k, 30);
  double t0 = now_ms();
  pthread_t a = spawn(sleeper, NULL);
  SYS("sleep(1)", sleep(1));
  double dt = now_ms() - t0;
  printf("slept at least 1s: %s\n", yesno(dt >= 990));
  printf("another thread ran meanwhile: %s\n", yesno(ticker_ran(&k)));
  printf("a thread's concurrent sleep(1) returned %ld\n", (long)join(a));
  printf("both done within 1.9s: %s\n", yesno(now_ms() - t0 < 1900));

  t0 = now_ms();
  SYS("sleep(0)", sleep(0));
  printf("took under 50ms: %s\n", yesno(now_ms() - t0 < 50));

  on_signal(SIGALRM, on_alarm, 0);
  alarm_ms(100);
  t0 = now_ms();
  SYS("sleep(3) interrupted after 100ms", sleep(3));
  printf("handler calls: %d, back within 1s: %s\n", (int)alarms,
         yesno(now_ms() - t0 < 1000));
  return 0;
}
