/*
 * Description: joins with a deadline, and withdrawing a wait.
 *   - A join with deadline 0 of a running thread is -EBUSY; of a finished
 *     one, its value.
 *   - A join whose deadline passes first is -ETIMEDOUT and leaves the
 *     thread joinable: a second, unbounded join gets its value.
 *   - A join whose thread ends first gets the value before the deadline.
 *   - ub_loop_cancel withdraws an armed wait (its timer never fires) and
 *     says false for one that already fired.
 */
#include "harness.h"

static void *sleep_then(void *arg)
{
  CHECK(ub_sched_sleep(ub_clock_after(ub_clock_now(), 50000000)) == 0);
  return arg;
}

static void *quick(void *arg)
{
  return arg;
}

static void *root(void *arg)
{
  (void)arg;
  struct ub_sched *s = ub_sched_self();
  struct ub_coro *c;
  void *ret = NULL;

  CHECK(ub_sched_spawn(s, &c, sleep_then, (void *)1L, 0, NULL, false) == 0);
  CHECK(ub_sched_join(c, &ret, 0) == -EBUSY);
  uint64_t t0 = ub_clock_now();
  CHECK(ub_sched_join(c, &ret, t0 + 10000000) == -ETIMEDOUT);
  CHECK(ub_clock_now() - t0 >= 10000000);
  CHECK(ub_sched_join(c, &ret, UB_NEVER) == 0 && ret == (void *)1L);

  CHECK(ub_sched_spawn(s, &c, quick, (void *)2L, 0, NULL, false) == 0);
  ub_sched_yield(); /* it runs and ends */
  CHECK(ub_sched_join(c, &ret, 0) == 0 && ret == (void *)2L);

  CHECK(ub_sched_spawn(s, &c, sleep_then, (void *)3L, 0, NULL, false) == 0);
  t0 = ub_clock_now();
  CHECK(ub_sched_join(c, &ret, t0 + 5000000000ull) == 0 && ret == (void *)3L);
  CHECK(ub_clock_now() - t0 < 4000000000ull);

  struct ub_wait w;
  ub_sched_wait_init(&w);
  CHECK(ub_loop_arm(&s->loop, &w, -1, 0, ub_clock_now() + 1000000) == 0);
  CHECK(ub_loop_cancel(&s->loop, &w));
  CHECK(ub_sched_sleep(ub_clock_after(ub_clock_now(), 5000000)) == 0);
  CHECK(w.result == 0); /* the withdrawn timer never fired */
  ub_sched_wait_init(&w);
  CHECK(ub_loop_arm(&s->loop, &w, -1, 0, ub_clock_now()) == 0);
  CHECK(ub_sched_park(&w) == -ETIMEDOUT);
  CHECK(!ub_loop_cancel(&s->loop, &w));
  return NULL;
}

int main(void)
{
  ub_test_run(root, NULL);
  puts("join: ok");
  return 0;
}
