/*
 * Description: 10,000 green threads each sleep a random 0-100 ms on the
 * loop's timers.  None may wake before its deadline, they wake in the
 * order of their deadlines, and the sleeps overlap: the run takes about
 * 100 ms, not the sum of the sleeps.  Lateness is printed, not asserted
 * beyond "not lost" (1 s): a loaded machine may not run us for a while.
 * Under UB_TEST_SLOW (valgrind) the count drops to 1,000.
 */
#include "harness.h"

#include <stdint.h>

struct sleeper {
  uint64_t delay;
  uint64_t deadline;
  uint64_t woke;
  int order; /* 1 for the first to wake, 2 for the next, ... */
};

static int woken;

static void *sleep_once(void *arg)
{
  struct sleeper *z = arg;
  z->deadline = ub_clock_now() + z->delay;
  CHECK(ub_sched_sleep(z->deadline) == 0);
  z->woke = ub_clock_now();
  z->order = ++woken;
  return NULL;
}

int main(void)
{
  bool slow = ub_test_slow();
  int n = slow ? 1000 : 10000;
  struct ub_sched_config cfg = ub_test_sched_config();
  cfg.stack_size = 64 * 1024;
  struct ub_sched s;
  CHECK(ub_sched_init(&s, &cfg) == 0);
  struct sleeper *z = calloc((size_t)n, sizeof(*z));
  CHECK(z != NULL);
  uint64_t start = ub_clock_now(), rng = 0x9e3779b97f4a7c15ull;
  for (int i = 0; i < n; i++) {
    z[i].delay = (ub_test_rand(&rng) % 101) * 1000000ull;
    CHECK(ub_sched_spawn(&s, NULL, sleep_once, &z[i], 0, NULL, true) == 0);
  }
  uint64_t spawned = ub_clock_now();
  CHECK(ub_sched_run(&s) == 0);
  uint64_t end = ub_clock_now(), worst = 0;
  for (int i = 0; i < n; i++) {
    CHECK(z[i].woke >= z[i].deadline); /* never early */
    uint64_t late = z[i].woke - z[i].deadline;
    worst = late > worst ? late : worst;
  }
  printf("%d sleepers: spawned in %.1f ms, worst lateness %.2f ms, "
         "all done %.1f ms after spawning\n",
         n, (double)(spawned - start) / 1e6, (double)worst / 1e6,
         (double)(end - spawned) / 1e6);
  CHECK(worst <= UB_NSEC_PER_SEC);
  /* One carrier fires its timers in deadline order, and runs the threads
   * they wake in that order. */
  struct sleeper **by_order = calloc((size_t)n, sizeof(*by_order));
  CHECK(by_order != NULL);
  for (int i = 0; i < n; i++) {
    CHECK(z[i].order >= 1 && z[i].order <= n);
    by_order[z[i].order - 1] = &z[i];
  }
  for (int k = 1; k < n; k++)
    CHECK(by_order[k - 1]->deadline <= by_order[k]->deadline);
  free(by_order);
  /* The sleeps overlap: one after another they would take minutes. */
  CHECK(end - spawned <= 2 * UB_NSEC_PER_SEC);
  free(z);
  ub_sched_fini(&s);
  return 0;
}
