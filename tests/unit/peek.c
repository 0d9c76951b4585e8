/*
 * Description: a carrier's own context answers calls from other threads
 * (ub_sched_call), and visits its switched-out green threads on their own
 * stacks (ub_sched_peek), which is how the green-thread dump is taken.
 *   - A call posted from another thread runs in the carrier's own
 *     context, between ticks, even while every green thread sleeps.
 *   - There, a peek runs on the peeked thread's stack, inside the
 *     thread's park, and leaves it parked: its sleep, its wait and its
 *     errno are as before, and it wakes when its timer says.
 *   - A thread that has not run yet is not peeked; one that yielded is.
 *   - A call can be withdrawn before it runs, and then never runs.
 */
#include "harness.h"

#include <pthread.h>
#include <unistd.h>

struct seen {
  struct ub_coro *c;
  void *local; /* the address of a local of the peek function */
  struct ub_wait *parked_on;
  int state;
};

static struct ub_coro *sleepers[2], *fresh;
static struct seen seen[4];
static int nseen;
static atomic_int fresh_ran, stop;

static void look(struct ub_coro *c, void *arg)
{
  int here = 0;
  struct seen *s = arg;
  s->c = c;
  s->local = &here;
  s->parked_on = c->parked_on;
  s->state = c->state;
  errno = 0; /* the peeked thread's errno must not change */
}

/* In the carrier's own context. */
static void visit(struct ub_sched *s, void *arg)
{
  (void)arg;
  CHECK(ub_sched_self() == s && s->current == &s->main);
  for (struct ub_coro *c = s->all; c != NULL; c = c->all_next) {
    struct seen v = {0};
    if (ub_sched_peek(c, look, &v)) {
      CHECK(v.c == c);
      CHECK((char *)v.local >= (char *)c->stack.lo &&
            (char *)v.local < (char *)c->stack.lo + c->stack.size);
      if (nseen < 4)
        seen[nseen++] = v;
    } else {
      CHECK(c == fresh && !atomic_load(&fresh_ran));
    }
  }
}

static void *sleeper(void *arg)
{
  uint64_t t0 = ub_clock_now(), ms = (uint64_t)(uintptr_t)arg;
  errno = 1234;
  CHECK(ub_sched_sleep(t0 + ms * 1000000) == 0);
  CHECK(errno == 1234);
  CHECK(ub_clock_now() - t0 >= ms * 1000000);
  return NULL;
}

static void *yielder(void *arg)
{
  (void)arg;
  while (!atomic_load(&stop))
    ub_sched_yield();
  return NULL;
}

static void *marks(void *arg)
{
  (void)arg;
  atomic_store(&fresh_ran, 1);
  return NULL;
}

struct asker {
  struct ub_sched *s;
  atomic_int done;
};

static void never(struct ub_sched *s, void *arg)
{
  (void)s;
  (void)arg;
  CHECK(!"a withdrawn call ran");
}

/* Another OS thread: it asks the carrier, as the control thread does. */
static void *ask(void *arg)
{
  struct asker *a = arg;
  struct ub_sched_call r = {.fn = visit};
  CHECK(ub_sched_call(a->s, &r));
  while (atomic_load(&r.done) == 0)
    usleep(1000);
  atomic_store(&a->done, 1);
  return NULL;
}

static void *root(void *arg)
{
  (void)arg;
  struct ub_sched *s = ub_sched_self();
  CHECK(ub_sched_spawn(s, &sleepers[0], sleeper, (void *)200L, 0, NULL, true) ==
        0);
  CHECK(ub_sched_spawn(s, &sleepers[1], sleeper, (void *)300L, 0, NULL, true) ==
        0);
  struct ub_coro *y;
  CHECK(ub_sched_spawn(s, &y, yielder, NULL, 0, NULL, true) == 0);
  ub_sched_sleep(ub_clock_now() + 20000000); /* they park, or yield */

  /* A withdrawn call never runs. */
  struct ub_sched_call r = {.fn = never};
  CHECK(ub_sched_call(s, &r));
  CHECK(ub_sched_uncall(s, &r));
  CHECK(!ub_sched_uncall(s, &r));

  CHECK(ub_sched_spawn(s, &fresh, marks, NULL, 0, NULL, false) == 0);
  struct asker a = {.s = s};
  pthread_t t;
  CHECK(pthread_create(&t, NULL, ask, &a) == 0);
  /* Stay runnable-free for the carrier: sleep until the answer. */
  while (!atomic_load(&a.done))
    ub_sched_sleep(ub_clock_now() + 1000000);
  CHECK(pthread_join(t, NULL) == 0);
  atomic_store(&stop, 1);

  /* The two sleepers were seen parked on their waits; the yielder was
   * seen runnable; the fresh thread (if it had not run) was skipped. */
  int parked = 0, runnable = 0;
  for (int i = 0; i < nseen; i++) {
    if (seen[i].c == sleepers[0] || seen[i].c == sleepers[1]) {
      CHECK(seen[i].state == UB_CORO_WAITING && seen[i].parked_on != NULL);
      parked++;
    } else if (seen[i].c == y) {
      CHECK(seen[i].state == UB_CORO_RUNNABLE);
      runnable++;
    }
  }
  CHECK(parked == 2 && runnable == 1);
  CHECK(ub_sched_join(fresh, NULL, UB_NEVER) == 0);
  return NULL;
}

int main(void)
{
  ub_test_run(root, NULL);
  puts("peek: ok");
  return 0;
}
