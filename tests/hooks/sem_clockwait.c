/*
 * Description: sem_clockwait(3), deadline on a chosen clock: on a zero
 * semaphore CLOCK_MONOTONIC +100 ms and CLOCK_REALTIME +100 ms are
 * ETIMEDOUT after 100 ms (not before, other threads running meanwhile);
 * posted 50 ms into a 2 s monotonic deadline: 0 well before it; another
 * clock is EINVAL.
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

int main(void)
{
  start();
  CHECK(sem_init(&s, 0, 0) == 0);
  clockid_t clocks[2] = {CLOCK_MONOTONIC, CLOCK_REALTIME};
  const char *names[2] = {"CLOCK_MONOTONIC", "CLOCK_REALTIME"};
  for (int i = 0; i < 2; i++) {
    struct ticker k;
    ticker_start(&k, 30);
    struct timespec dl = abs_in(clocks[i], 100);
    double t0 = now_ms();
    char label[64];
    snprintf(label, sizeof(label), "clockwait %s +100ms", names[i]);
    SYS(label, sem_clockwait(&s, clocks[i], &dl));
    double dt = now_ms() - t0;
    printf("  waited 90ms to 2s: %s, another thread ran meanwhile: %s\n",
           yesno(dt >= 90 && dt < 2000), yesno(ticker_ran(&k)));
  }
  pthread_t t = spawn(poster, NULL);
  struct timespec dl = abs_in(CLOCK_MONOTONIC, 2000);
  double t0 = now_ms();
  SYS("clockwait +2s, posted at 50ms", sem_clockwait(&s, CLOCK_MONOTONIC, &dl));
  double dt = now_ms() - t0;
  printf("took 40ms to 1.5s: %s\n", yesno(dt >= 40 && dt < 1500));
  join(t);
  SYS("clockwait CLOCK_PROCESS_CPUTIME_ID",
      sem_clockwait(&s, CLOCK_PROCESS_CPUTIME_ID, &dl));
  return 0;
}
