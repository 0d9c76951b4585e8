/*
 * Description: 20 threads each sleep(1) at once.  Natively that is 21 OS
 * threads for about a second; under unblock with one carrier the sleeps
 * are timers on one loop, so the process has two OS threads (its carrier
 * and the stall monitor) while they sleep, and the whole run still takes
 * about a second.  The main thread
 * samples Threads: in /proc/self/status half-way through the sleeps.
 *
 * Prints the thread count it saw, how many sleepers finished, and whether
 * the run took at least 1 s and under 2 s.
 */
#include "e2e.h"
#include <pthread.h>
#include <stdatomic.h>

#define SLEEPERS 20

static atomic_int done;

static void *sleeper(void *arg)
{
  (void)arg;
  sleep(1);
  atomic_fetch_add(&done, 1);
  return NULL;
}

/* Threads: of /proc/self/status, or -1. */
static int os_threads(void)
{
  FILE *f = fopen("/proc/self/status", "r");
  CHECK(f != NULL);
  char line[256];
  int n = -1;
  while (fgets(line, sizeof(line), f) != NULL)
    if (sscanf(line, "Threads: %d", &n) == 1)
      break;
  fclose(f);
  return n;
}

int main(void)
{
  start();
  pthread_t t[SLEEPERS];
  double t0 = now_s();
  for (int i = 0; i < SLEEPERS; i++)
    CHECK(pthread_create(&t[i], NULL, sleeper, NULL) == 0);
  usleep(500 * 1000);
  int seen = os_threads();
  int early = atomic_load(&done);
  for (int i = 0; i < SLEEPERS; i++)
    CHECK(pthread_join(t[i], NULL) == 0);
  double dt = now_s() - t0;
  printf("os threads while sleeping: %d\n", seen);
  printf("sleepers done at 0.5 s: %d\n", early);
  printf("sleepers done: %d\n", atomic_load(&done));
  printf("took at least 1 s: %s\n", yesno(dt >= 1.0));
  printf("took under 2 s: %s\n", yesno(dt < 2.0));
  return 0;
}
