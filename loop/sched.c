/*
 * sched.c - one carrier's scheduler (see sched.h).
 *
 * Invariants:
 *   - s->current is the context running on this carrier: a green thread or
 *     &s->main.  A green thread is on the run queue, or parked on a wait,
 *     or running; never two of these at once.
 *   - A green thread that exits cannot free its own stack while running on
 *     it, and may be freed by a joiner on another carrier the instant it
 *     publishes UB_JOIN_DEAD.  So it copies its stack descriptor into the
 *     scheduler first, switches out through a scratch slot, and whichever
 *     context runs next frees the stack (after_switch).
 *   - Switching to oneself is a no-op: the saved sp would be stale.
 */
#define _GNU_SOURCE
#include "sched.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "guard.h"

static __thread struct ub_sched *tls_sched
    __attribute__((tls_model("initial-exec")));

struct ub_sched *ub_sched_self(void)
{
  return tls_sched;
}

static void rq_push(struct ub_sched *s, struct ub_coro *c)
{
  c->state = UB_CORO_RUNNABLE;
  c->rq_next = NULL;
  if (s->rq_tail != NULL)
    s->rq_tail->rq_next = c;
  else
    s->rq_head = c;
  s->rq_tail = c;
}

static struct ub_coro *rq_pop(struct ub_sched *s)
{
  struct ub_coro *c = s->rq_head;
  if (c != NULL) {
    s->rq_head = c->rq_next;
    if (s->rq_head == NULL)
      s->rq_tail = NULL;
  }
  return c;
}

/* Free what an exited green thread left behind. */
static void reap(struct ub_sched *s)
{
  if (s->dead_stack.lo != NULL) {
    ub_stack_put(&s->pool, &s->dead_stack);
    s->dead_stack.lo = NULL;
  }
  free(s->dead_coro);
  s->dead_coro = NULL;
}

/* Runs in whatever context a switch lands in. */
static inline void after_switch(struct ub_sched *s)
{
  s->current->state = UB_CORO_RUNNING;
  if (__builtin_expect(s->dead_stack.lo != NULL, 0))
    reap(s);
}

/* The next context to run: a runnable green thread, or the carrier's. */
static struct ub_coro *pick_next(struct ub_sched *s)
{
  if (s->budget > 0) {
    struct ub_coro *c = rq_pop(s);
    if (c != NULL) {
      s->budget--;
      return c;
    }
  }
  return &s->main;
}

/* Switch away from the current green thread, already queued or parked. */
static void reschedule(struct ub_sched *s)
{
  struct ub_coro *from = s->current;
  struct ub_coro *to = pick_next(s);
  if (to == from) {
    from->state = UB_CORO_RUNNING;
    return;
  }
  s->leaving = from;
  s->current = to;
  ub_coro_switch(from, to);
  after_switch(s);
}

static void resume(struct ub_wait *w)
{
  struct ub_coro *c = w->owner;
  rq_push(c->home, c);
}

static void coro_main(void *arg)
{
  struct ub_coro *c = arg;
  ub_coro_landed();
  after_switch(c->home);
  ub_sched_exit(c->fn(c->arg));
}

int ub_sched_init(struct ub_sched *s, const struct ub_sched_config *cfg)
{
  if (tls_sched != NULL)
    return -EBUSY; /* this thread already is a carrier */
  *s = (struct ub_sched){0};
  int err = ub_loop_init(&s->loop, cfg->backend);
  if (err != 0)
    return err;
  ub_stack_pool_init(&s->pool, cfg->stack_size);
  /* The carrier's own stack, for ASan's fiber bookkeeping. */
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) == 0) {
    void *lo;
    size_t size;
    if (pthread_attr_getstack(&attr, &lo, &size) == 0) {
      s->main.stack.lo = lo;
      s->main.stack.size = size;
    }
    pthread_attr_destroy(&attr);
  }
  s->main.home = s;
  s->main.state = UB_CORO_RUNNING;
  s->current = &s->main;
  err = ub_guard_thread_init(&s->altstack);
  if (err != 0) {
    ub_loop_fini(&s->loop);
    return err;
  }
  tls_sched = s;
  return 0;
}

void ub_sched_fini(struct ub_sched *s)
{
  assert(s->live == 0 && s->current == &s->main);
  ub_guard_thread_fini(s->altstack);
  ub_stack_pool_fini(&s->pool);
  ub_loop_fini(&s->loop);
  tls_sched = NULL;
}

int ub_sched_run(struct ub_sched *s)
{
  assert(s->current == &s->main);
  for (;;) {
    struct ub_coro *c = rq_pop(s);
    if (c != NULL) {
      s->budget = UB_SCHED_BUDGET;
      s->current = c;
      ub_coro_switch(&s->main, c);
      after_switch(s);
    }
    if (s->live == 0)
      return 0;
    int n = ub_loop_tick(&s->loop, s->rq_head == NULL);
    if (n < 0)
      return n;
  }
}

int ub_sched_spawn(struct ub_sched *s, struct ub_coro **out,
                   void *(*fn)(void *), void *arg, size_t stack_size)
{
  struct ub_coro *c = calloc(1, sizeof(*c));
  if (c == NULL)
    return -ENOMEM;
  int err = ub_stack_get(&s->pool, &c->stack, stack_size);
  if (err != 0) {
    free(c);
    return err;
  }
  c->home = s;
  c->fn = fn;
  c->arg = arg;
  c->id = ++s->next_id;
  c->born = ub_clock_now();
  if (out == NULL)
    c->join = UB_JOIN_DETACHED;
  else
    *out = c;
  ub_coro_prepare(c, coro_main, c);
  s->live++;
  rq_push(s, c);
  return 0;
}

void ub_sched_yield(void)
{
  struct ub_sched *s = tls_sched;
  if (s == NULL || s->current == &s->main)
    return;
  rq_push(s, s->current);
  reschedule(s);
}

_Noreturn void ub_sched_exit(void *ret)
{
  struct ub_sched *s = tls_sched;
  struct ub_coro *c = s->current;
  assert(c != &s->main);
  c->ret = ret;
  c->state = UB_CORO_DEAD;
  s->dead_stack = c->stack;
  s->live--;
  uintptr_t j = atomic_exchange(&c->join, UB_JOIN_DEAD);
  /* From here on c belongs to its joiner, who may free it at any time. */
  if (j == UB_JOIN_DETACHED)
    s->dead_coro = c;
  else if (j != 0)
    ub_loop_post((struct ub_wait *)j, 0);
  struct ub_coro *to = pick_next(s);
  s->current = to;
  ub_coro_leave(&s->scratch_sp, to);
}

int ub_sched_join(struct ub_coro *c, void **ret)
{
  struct ub_sched *s = tls_sched;
  if (s == NULL || s->current == &s->main)
    return -EPERM; /* only a green thread can park */
  if (c == s->current)
    return -EDEADLK;
  uintptr_t seen = 0;
  struct ub_wait w;
  ub_sched_wait_init(&w);
  ub_loop_arm(&s->loop, &w, -1, 0, UB_NEVER);
  if (atomic_compare_exchange_strong(&c->join, &seen, (uintptr_t)&w))
    ub_sched_park(&w);
  else if (seen != UB_JOIN_DEAD)
    return -EINVAL; /* detached, or somebody else is joining it */
  if (ret != NULL)
    *ret = c->ret;
  free(c);
  return 0;
}

int ub_sched_detach(struct ub_coro *c)
{
  uintptr_t seen = 0;
  if (atomic_compare_exchange_strong(&c->join, &seen, UB_JOIN_DETACHED))
    return 0;
  if (seen != UB_JOIN_DEAD)
    return -EINVAL;
  free(c);
  return 0;
}

void ub_sched_wait_init(struct ub_wait *w)
{
  ub_wait_init(w, resume, tls_sched->current);
}

int ub_sched_park(struct ub_wait *w)
{
  struct ub_sched *s = tls_sched;
  assert(s->current != &s->main);
  if (s->current->state == UB_CORO_RUNNING) /* not already resumed */
    s->current->state = UB_CORO_WAITING;
  reschedule(s);
  return w->result;
}

int ub_sched_wait_fd(int fd, unsigned dir, uint64_t deadline)
{
  struct ub_wait w;
  ub_sched_wait_init(&w);
  int r = ub_loop_arm(&tls_sched->loop, &w, fd, dir, deadline);
  return r != 0 ? r : ub_sched_park(&w);
}

int ub_sched_pass(int fd, unsigned dir)
{
  return ub_loop_pass(&tls_sched->loop, fd, dir);
}

int ub_sched_sleep(uint64_t deadline)
{
  int r = ub_sched_wait_fd(-1, 0, deadline);
  return r == -ETIMEDOUT ? 0 : r;
}
