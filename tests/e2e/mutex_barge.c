/*
 * Description: an unlocked mutex is free until its woken waiter runs.
 * Thread B blocks in pthread_mutex_lock on a mutex main holds; main
 * unlocks it and at once tries it again.  glibc's mutex is free at that
 * point (the waiter it woke has not run yet), so the trylock succeeds;
 * then main unlocks for good and B gets the mutex.  Natively the outcome
 * of the trylock races with B's wake-up on another CPU; under unblock with
 * one carrier B cannot run before main parks, so the answer is fixed: the
 * mutex must not have been handed to B, which is not running (a lock held
 * by a thread that waits for its carrier convoys every other thread).
 *
 * stdout: B's state, the trylock's result, and what B got.
 */
#include "e2e.h"
#include <pthread.h>
#include <stdatomic.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static atomic_int trying;

static void *waiter(void *arg)
{
  (void)arg;
  atomic_store(&trying, 1);
  int r = pthread_mutex_lock(&m);
  printf("B: lock returned %d\n", r);
  CHECK(pthread_mutex_unlock(&m) == 0);
  return NULL;
}

int main(void)
{
  start();
  CHECK(pthread_mutex_lock(&m) == 0);
  pthread_t b;
  CHECK(pthread_create(&b, NULL, waiter, NULL) == 0);
  while (!atomic_load(&trying))
    sched_yield();
  struct timespec ms50 = {0, 50000000};
  nanosleep(&ms50, NULL); /* B is now parked on m */
  CHECK(pthread_mutex_unlock(&m) == 0);
  int r = pthread_mutex_trylock(&m);
  printf("main: trylock right after unlock returned %s\n",
         r == 0       ? "0"
         : r == EBUSY ? "EBUSY"
                      : "something else");
  if (r == 0)
    CHECK(pthread_mutex_unlock(&m) == 0);
  CHECK(pthread_join(b, NULL) == 0);
  return 0;
}
