/*
 * Description: sem_timedwait(3), CLOCK_REALTIME deadline, -1 and errno on
 * failure.  On a zero semaphore: ETIMEDOUT 100 ms on (not before, other
 * threads running meanwhile); posted 50 ms into a 2 s deadline: 0 well
 * before it; a bad deadline is EINVAL, even on a positive semaphore (glibc
 * checks it first); a SIGALRM handler interrupts it with EINTR, with or
 * without SA_RESTART (a timed wait is not restarted).
 */
#include "snippet.h"
#include <semaphore.h>

static sem_t s;

static void *poster(void *arg)
{
  (void)arg;
  sleep_ms(50);
  CHECK(sem_post(&s) == 0);
  return NULL;
}

static void on_alarm(int sig)
{
  (void)sig;
}

int main(void)
{
  start();
  CHECK(sem_init(&s, 0, 0) == 0);
  struct ticker k;
  ticker_start(&k, 30);
  struct timespec dl = abs_in(CLOCK_REALTIME, 100);
  double t0 = now_ms();
  SYS("timedwait +100ms on 0", sem_timedwait(&s, &dl));
  double dt = now_ms() - t0;
  printf("waited 90ms to 2s: %s\n", yesno(dt >= 90 && dt < 2000));
  printf("another thread ran meanwhile: %s\n", yesno(ticker_ran(&k)));

  pthread_t t = spawn(poster, NULL);
  dl = abs_in(CLOCK_REALTIME, 2000);
  t0 = now_ms();
  SYS("timedwait +2s, posted at 50ms", sem_timedwait(&s, &dl));
  dt = now_ms() - t0;
  printf("took 40ms to 1.5s: %s\n", yesno(dt >= 40 && dt < 1500));
  join(t);

  struct timespec bad = {0, 2000000000};
  SYS("timedwait, bad deadline, on 0", sem_timedwait(&s, &bad));
  CHECK(sem_post(&s) == 0);
  SYS("timedwait, bad deadline, on 1", sem_timedwait(&s, &bad));
  CHECK(sem_trywait(&s) == 0);
  for (int restart = 0; restart <= 1; restart++) {
    on_signal(SIGALRM, on_alarm, restart ? SA_RESTART : 0);
    alarm_ms(50);
    dl = abs_in(CLOCK_REALTIME, 2000);
    SYS(restart ? "timedwait, SIGALRM handler with SA_RESTART"
                : "timedwait, SIGALRM handler without SA_RESTART",
        sem_timedwait(&s, &dl));
  }
  return 0;
}
