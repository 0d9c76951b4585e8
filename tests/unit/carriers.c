/*
 * Description: two carriers side by side.  Two OS threads each run their
 * own scheduler and loop (no shared loop state).  Across them: a green
 * thread parked on carrier A is resumed by a post from carrier B, and a
 * green thread on A joins one on B and gets its return value, 1,000 times
 * each (50 under valgrind), while both carriers also run local sleepers on
 * their own timers.
 */
#include "harness.h"

#include <errno.h>
#include <pthread.h>

static int rounds = 1000; /* 50 under UB_TEST_SLOW: valgrind runs one
                            thread at a time, in long slices */

struct carrier {
  pthread_t thread;
  struct ub_sched s;
  void *(*root)(void *);
  pthread_barrier_t *ready;
};

/* Handed from A to B: the wait A parks on, or the green thread to join. */
static _Atomic(struct ub_wait *) parked;
static _Atomic(struct ub_coro *) target;
static atomic_int posts_won;

static void *a_root(void *arg)
{
  (void)arg;
  struct ub_sched *s = ub_sched_self();
  for (int i = 0; i < rounds; i++) {
    struct ub_wait w;
    ub_sched_wait_init(&w);
    CHECK(ub_loop_arm(&s->loop, &w, -1, 0, UB_NEVER) == 0);
    atomic_store(&parked, &w);
    CHECK(ub_sched_park(&w) == i);
    CHECK(w.owner == s->current);
  }
  for (int i = 0; i < rounds; i++) {
    struct ub_coro *c;
    while ((c = atomic_exchange(&target, NULL)) == NULL)
      CHECK(ub_sched_sleep(ub_clock_now() + 10000) == 0);
    void *ret;
    CHECK(ub_sched_join(c, &ret, UB_NEVER) == 0);
    CHECK(ret == (void *)(long)(i + 1));
  }
  return NULL;
}

static void *b_child(void *arg)
{
  if ((long)arg % 2 == 0)
    ub_sched_yield(); /* sometimes exit before the join, sometimes after */
  return arg;
}

static void *b_root(void *arg)
{
  (void)arg;
  struct ub_sched *s = ub_sched_self();
  for (int i = 0; i < rounds; i++) {
    struct ub_wait *w;
    while ((w = atomic_exchange(&parked, NULL)) == NULL)
      CHECK(ub_sched_sleep(ub_clock_now() + 10000) == 0);
    atomic_fetch_add(&posts_won, ub_loop_post(w, i));
  }
  for (int i = 0; i < rounds; i++) {
    struct ub_coro *c;
    CHECK(ub_sched_spawn(s, &c, b_child, (void *)(long)(i + 1), 0, NULL,
                         false) == 0);
    atomic_store(&target, c);
    while (atomic_load(&target) != NULL)
      CHECK(ub_sched_sleep(ub_clock_now() + 10000) == 0);
  }
  return NULL;
}

static void *sleeper(void *arg)
{
  (void)arg;
  for (int i = 0; i < 20; i++)
    CHECK(ub_sched_sleep(ub_clock_now() + 1000000) == 0);
  return NULL;
}

static void *run_carrier(void *arg)
{
  struct carrier *k = arg;
  struct ub_sched_config cfg = ub_test_sched_config();
  CHECK(ub_sched_init(&k->s, &cfg) == 0);
  CHECK(ub_sched_self() == &k->s);
  struct ub_sched again;
  CHECK(ub_sched_init(&again, &cfg) == -EBUSY); /* one scheduler a thread */
  pthread_barrier_wait(k->ready);
  /* Only a green thread can join; the carrier's own context cannot. */
  struct ub_coro *root;
  CHECK(ub_sched_spawn(&k->s, &root, k->root, NULL, 0, NULL, false) == 0);
  CHECK(ub_sched_join(root, NULL, UB_NEVER) == -EPERM);
  CHECK(ub_sched_detach(root) == 0);
  CHECK(ub_sched_spawn(&k->s, NULL, sleeper, NULL, 0, NULL, true) == 0);
  CHECK(ub_sched_run(&k->s) == 0);
  ub_sched_fini(&k->s);
  CHECK(ub_sched_self() == NULL);
  return NULL;
}

int main(void)
{
  if (ub_test_slow())
    rounds = 50;
  pthread_barrier_t ready;
  pthread_barrier_init(&ready, NULL, 2);
  struct carrier a = {.root = a_root, .ready = &ready};
  struct carrier b = {.root = b_root, .ready = &ready};
  CHECK(pthread_create(&a.thread, NULL, run_carrier, &a) == 0);
  CHECK(pthread_create(&b.thread, NULL, run_carrier, &b) == 0);
  CHECK(pthread_join(a.thread, NULL) == 0);
  CHECK(pthread_join(b.thread, NULL) == 0);
  pthread_barrier_destroy(&ready);
  CHECK(atomic_load(&posts_won) == rounds);
  CHECK(ub_sched_self() == NULL); /* the main thread never was a carrier */
  return 0;
}
