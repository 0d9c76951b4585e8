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
#include <valgrind/valgrind.h>

#include "guard.h"
#include "handoff.h"
#include "share.h"
#include "sys.h"

__thread struct ub_sched *ub_sched_tls
    __attribute__((tls_model("initial-exec")));
#define tls_sched ub_sched_tls

#define GROUP_MAX UB_SHARE_SLOTS

/* The group: carriers that share the count of live green threads. */
static _Atomic(struct ub_sched *) group[GROUP_MAX];
static atomic_int group_n;

#define SPIN_NS 20000 /* a carrier looks for work this long before sleeping */
#define SPIN_POLL_NS 2000 /* and polls its loop after 2, 6 and 14 us */
static atomic_long live_total;
static _Atomic uint64_t next_id; /* thread ids are process-wide */

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

static void all_add(struct ub_sched *s, struct ub_coro *c)
{
  c->all_prev = NULL;
  c->all_next = s->all;
  if (s->all != NULL)
    s->all->all_prev = c;
  s->all = c;
}

static void all_remove(struct ub_sched *s, struct ub_coro *c)
{
  if (c->all_prev != NULL)
    c->all_prev->all_next = c->all_next;
  else
    s->all = c->all_next;
  if (c->all_next != NULL)
    c->all_next->all_prev = c->all_prev;
}

static void count_mask(struct ub_sched *s, uint64_t mask, int delta)
{
  for (; mask != 0; mask &= mask - 1)
    s->blocked[__builtin_ctzll(mask)] += (unsigned)delta;
}

void ub_sched_set_sigmask(struct ub_coro *c, uint64_t mask)
{
  struct ub_sched *s = c->home;
  count_mask(s, c->sigmask, -1);
  count_mask(s, mask, +1);
  c->sigmask = mask;
  if (c == s->current)
    s->real_mask = mask;
}

/* The signals every live green thread blocks.  Under valgrind, never its
 * own top signal (64), with which it ends threads waiting in system calls
 * at exit: a carrier asleep with it blocked would keep the process alive. */
static uint64_t idle_mask(const struct ub_sched *s)
{
  uint64_t m = 0;
  for (int b = 0; b < 64; b++)
    if (s->blocked[b] >= s->live)
      m |= 1ull << b;
  if (RUNNING_ON_VALGRIND)
    m &= ~(1ull << 63);
  return m;
}

/* The signal mask and pending signals travel with the green thread. */
static void signal_state(struct ub_sched *s, struct ub_coro *c)
{
  if (c->sigmask != s->real_mask) {
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &c->sigmask, NULL,
            UB_SIGSET_BYTES);
    s->real_mask = c->sigmask;
  }
  if ((atomic_load_explicit(&c->sigpending, memory_order_relaxed) &
       ~c->sigmask) != 0 &&
      s->on_pending != NULL)
    s->on_pending(c);
}

/* Runs in whatever context a switch lands in. */
static inline void after_switch(struct ub_sched *s)
{
  struct ub_coro *c = s->current;
  c->state = UB_CORO_RUNNING;
  atomic_store_explicit(&s->steps, s->steps + 1, memory_order_relaxed);
  if (__builtin_expect(s->dead_stack.lo != NULL, 0))
    reap(s);
  if (c != &s->main &&
      __builtin_expect(
          c->sigmask != s->real_mask ||
              (atomic_load_explicit(&c->sigpending, memory_order_relaxed) &
               ~c->sigmask) != 0,
          0))
    signal_state(s, c);
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

/* Run ub_sched_peek's function here, on from's stack, and go back to the
 * carrier's context.  Whatever the function does to errno is undone: the
 * switch back saves errno as from's own. */
static __attribute__((noinline)) void peeked(struct ub_sched *s,
                                             struct ub_coro *from)
{
  int e = errno, h = *ub_h_errno_location();
  s->peek_fn(from, s->peek_arg);
  errno = e;
  *ub_h_errno_location() = h;
  ub_coro_switch(from, &s->main);
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
  while (__builtin_expect(s->peek_fn != NULL, 0)) /* ub_sched_peek */
    peeked(s, from);
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
  c->ran = true;
  ub_coro_landed();
  after_switch(c->home);
  ub_sched_exit(c->fn(c->arg));
}

/* c, placed on s, arrives there: it becomes one of s's threads. */
static void land(struct ub_sched *s, struct ub_coro *c)
{
  count_mask(s, c->sigmask, +1);
  all_add(s, c);
  s->live++;
  rq_push(s, c);
}

/* Green threads other carriers spawned here, in the order they came. */
static void drain_remote(struct ub_sched *s)
{
  struct ub_coro *c = atomic_exchange(&s->remote, NULL);
  struct ub_coro *fifo = NULL;
  while (c != NULL) {
    struct ub_coro *next = c->rq_next;
    c->rq_next = fifo;
    fifo = c;
    c = next;
  }
  while (fifo != NULL) {
    struct ub_coro *next = fifo->rq_next;
    land(s, fifo);
    fifo = next;
  }
}

int ub_sched_init(struct ub_sched *s, const struct ub_sched_config *cfg)
{
  if (tls_sched != NULL)
    return -EBUSY; /* this thread already is a carrier */
  *s = (struct ub_sched){.index = -1};
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
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, NULL, &s->real_mask,
          UB_SIGSET_BYTES);
  s->main.home = s;
  s->main.state = UB_CORO_RUNNING;
  s->current = &s->main;
  atomic_store(&s->lease, ub_sched_token());
  atomic_store(&s->tid, (pid_t)syscall(SYS_gettid));
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
  if (s->index >= 0) {
    atomic_store(&group[s->index], NULL);
    atomic_fetch_sub(&group_n, 1);
  }
  ub_guard_thread_fini(s->altstack);
  ub_stack_pool_fini(&s->pool);
  ub_loop_fini(&s->loop);
  tls_sched = NULL;
}

/* Anything another thread hands s, by a flag or a queue, before it rings
 * s's doorbell.  Read after ub_loop_sleepy (loop.h says why). */
static bool pending(struct ub_sched *s)
{
  return atomic_load(&s->remote) != NULL || atomic_load(&s->deferred) != 0 ||
         atomic_load(&s->poked) != 0 || atomic_load(&s->want_back) != 0 ||
         atomic_load(&s->call) != NULL;
}

/*
 * Before a carrier with nothing to run sleeps in its loop: when there are
 * other carriers, look for work for up to SPIN_NS, polling the loop at
 * growing intervals (SPIN_POLL_NS, then twice as long each time: a poll
 * is a system call).  A green thread on another carrier that wakes one here
 * (a pipe, a lock, a condition variable) mostly does so within a few
 * microseconds, and a sleeping carrier costs a wake-up of its CPU, which
 * in a virtual machine can take tens of microseconds; meanwhile, the loop
 * counts as awake, so posts to it need no doorbell.  True if work came.
 * Not under valgrind, which runs one thread at a time.
 */
static bool spin(struct ub_sched *s)
{
  if (atomic_load_explicit(&group_n, memory_order_relaxed) < 2 ||
      RUNNING_ON_VALGRIND)
    return false;
  uint64_t start = ub_clock_now(), now = start, gap = SPIN_POLL_NS;
  uint64_t poll_at = start + gap;
  while (now - start < SPIN_NS) {
    if (ub_loop_has_posts(&s->loop) || pending(s))
      return true;
    if (now >= poll_at) {
      gap *= 2;
      poll_at = now + gap;
      if (ub_loop_tick(&s->loop, false) != 0 || s->rq_head != NULL)
        return true;
    }
    __builtin_ia32_pause();
    now = ub_clock_now();
  }
  return false;
}

static void answer_call(struct ub_sched *s)
{
  struct ub_sched_call *r = atomic_exchange(&s->call, NULL);
  if (r == NULL)
    return; /* withdrawn meanwhile */
  r->fn(s, r->arg);
  atomic_store_explicit(&r->done, 1, memory_order_release);
}

bool ub_sched_call(struct ub_sched *s, struct ub_sched_call *r)
{
  struct ub_sched_call *none = NULL;
  atomic_store(&r->done, 0);
  if (!atomic_compare_exchange_strong(&s->call, &none, r))
    return false;
  ub_loop_wake(&s->loop);
  return true;
}

bool ub_sched_uncall(struct ub_sched *s, struct ub_sched_call *r)
{
  struct ub_sched_call *mine = r;
  return atomic_compare_exchange_strong(&s->call, &mine, NULL);
}

#define PEEK_ROOM (32 * 1024)

bool ub_sched_peek(struct ub_coro *c, void (*fn)(struct ub_coro *c, void *arg),
                   void *arg)
{
  struct ub_sched *s = c->home;
  assert(s == tls_sched && s->current == &s->main);
  /* fn runs below c's saved context, with room for a signal frame too;
   * a stack with less than PEEK_ROOM left is not risked. */
  if (!c->ran || c->state == UB_CORO_RUNNING ||
      (c->stack.lo != NULL &&
       (uintptr_t)c->sp - (uintptr_t)c->stack.lo < PEEK_ROOM))
    return false;
  s->peek_fn = fn;
  s->peek_arg = arg;
  s->leaving = c; /* an overflow meanwhile is c's (guard.c) */
  ub_coro_switch(&s->main, c);
  s->leaving = NULL;
  s->peek_fn = NULL;
  return true;
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
    if (s->live == 0 && (s->index < 0 || atomic_load(&live_total) == 0))
      return 0;
    if (atomic_load_explicit(&s->want_back, memory_order_relaxed) &&
        ub_handoff_give_back(s))
      return UB_SCHED_HANDED_BACK;
    bool idle = s->rq_head == NULL &&
                atomic_load_explicit(&s->remote, memory_order_relaxed) == NULL;
    if (idle)
      idle = !spin(s) && ub_loop_sleepy(&s->loop) && !pending(s);
    if (idle) {
      s->idle_mask = idle_mask(s);
      atomic_store_explicit(&s->idle, 1, memory_order_relaxed);
    }
    int n = ub_loop_tick(&s->loop, idle);
    atomic_store_explicit(&s->idle, 0, memory_order_relaxed);
    if (n < 0)
      return n;
    drain_remote(s);
    if ((atomic_load_explicit(&s->deferred, memory_order_relaxed) != 0 ||
         atomic_load_explicit(&s->poked, memory_order_relaxed) != 0) &&
        s->on_signals != NULL)
      s->on_signals(s);
    if (atomic_load_explicit(&s->call, memory_order_relaxed) != NULL)
      answer_call(s);
  }
}

static void start(struct ub_sched *s, struct ub_coro *c, struct ub_coro **out,
                  void *(*fn)(void *), void *arg, void *ext, bool detached)
{
  struct ub_sched *me = tls_sched;
  c->home = s;
  c->fn = fn;
  c->arg = arg;
  c->ext = ext;
  if (me != NULL && me->current != &me->main)
    c->sigmask = me->current->sigmask; /* as a new thread inherits it */
  else
    c->sigmask = me != NULL ? me->real_mask : s->real_mask;
  c->id = atomic_fetch_add(&next_id, 1) + 1;
  c->born = ub_clock_now();
  if (detached)
    c->join = UB_JOIN_DETACHED;
  if (out != NULL)
    *out = c;
  ub_coro_prepare(c, coro_main, c);
  atomic_fetch_add(&s->load, 1);
  if (s->index >= 0)
    atomic_fetch_add(&live_total, 1);
  if (s == me) {
    land(s, c);
    return;
  }
  struct ub_coro *head = atomic_load_explicit(&s->remote, memory_order_relaxed);
  do
    c->rq_next = head;
  while (!atomic_compare_exchange_weak(&s->remote, &head, c));
  ub_loop_wake(&s->loop);
}

int ub_sched_spawn(struct ub_sched *s, struct ub_coro **out,
                   void *(*fn)(void *), void *arg, size_t stack_size, void *ext,
                   bool detached)
{
  struct ub_sched *me = tls_sched != NULL ? tls_sched : s;
  struct ub_coro *c = calloc(1, sizeof(*c));
  if (c == NULL)
    return -ENOMEM;
  int err = ub_stack_get(&me->pool, &c->stack, stack_size);
  if (err != 0) {
    free(c);
    return err;
  }
  start(s, c, out, fn, arg, ext, detached);
  return 0;
}

int ub_sched_spawn_on(struct ub_sched *s, struct ub_coro **out,
                      void *(*fn)(void *), void *arg, void *lo, size_t size,
                      void *ext, bool detached)
{
  struct ub_coro *c = calloc(1, sizeof(*c));
  if (c == NULL)
    return -ENOMEM;
  c->stack = (struct ub_stack){.lo = lo, .size = size};
  start(s, c, out, fn, arg, ext, detached);
  return 0;
}

int ub_sched_group_add(struct ub_sched *s)
{
  for (int i = 0; i < GROUP_MAX; i++) {
    struct ub_sched *none = NULL;
    if (atomic_compare_exchange_strong(&group[i], &none, s)) {
      s->index = i;
      atomic_fetch_add(&live_total, (long)s->live);
      atomic_fetch_add(&group_n, 1);
      return 0;
    }
  }
  return -EAGAIN;
}

struct ub_sched *ub_sched_group_at(int i)
{
  return atomic_load_explicit(&group[i], memory_order_acquire);
}

int ub_sched_group_size(void)
{
  return atomic_load(&group_n);
}

struct ub_sched *ub_sched_pick(struct ub_sched *self)
{
  struct ub_sched *best = self;
  unsigned least = atomic_load_explicit(&self->load, memory_order_relaxed);
  for (int i = 0; i < GROUP_MAX && least > 0; i++) {
    struct ub_sched *s = atomic_load_explicit(&group[i], memory_order_acquire);
    if (s == NULL)
      continue;
    unsigned n = atomic_load_explicit(&s->load, memory_order_relaxed);
    if (n < least) {
      least = n;
      best = s;
    }
  }
  return best;
}

void ub_sched_poke(struct ub_sched *s)
{
  atomic_store(&s->poked, 1);
  ub_loop_wake(&s->loop);
}

void ub_sched_poke_all(void)
{
  for (int i = 0; i < GROUP_MAX; i++) {
    struct ub_sched *s = atomic_load(&group[i]);
    if (s != NULL)
      ub_sched_poke(s);
  }
}

/* The adopted carrier's own context: schedule until nobody is left. */
static void carrier_main(void *arg)
{
  struct ub_sched *s = arg;
  ub_coro_landed();
  after_switch(s);
  if (ub_sched_run(s) == UB_SCHED_HANDED_BACK) {
    /* The carrier went back to a thread it was taken from: this thread
     * (the process's main thread) serves as a spare from now on. */
    struct ub_spare me = {0};
    ub_handoff_serve(&me, 0);
  }
  /* (a loop error leaves nothing to run either way) */
  s->on_empty(s);
  abort(); /* on_empty must not return */
}

int ub_sched_adopt(struct ub_sched *s, struct ub_coro **self,
                   void (*on_empty)(struct ub_sched *s))
{
  assert(s->current == &s->main && s->live == 0);
  struct ub_coro *c = calloc(1, sizeof(*c));
  if (c == NULL)
    return -ENOMEM;
  struct ub_stack own = s->main.stack; /* the thread's stack; guard 0 */
  int err = ub_stack_get(&s->pool, &s->main.stack, 256 * 1024);
  if (err != 0) {
    free(c);
    s->main.stack = own;
    return err;
  }
  c->stack = own;
  c->stack.guard = 0;
  c->home = s;
  c->id = atomic_fetch_add(&next_id, 1) + 1;
  c->born = ub_clock_now();
  c->state = UB_CORO_RUNNING;
  c->ran = true;
  c->sigmask = s->real_mask;
  all_add(s, c);
  count_mask(s, c->sigmask, +1);
  s->loop.wait_mask = &s->idle_mask;
  s->on_empty = on_empty;
  ub_coro_prepare(&s->main, carrier_main, s);
  s->current = c;
  s->live = 1;
  atomic_store(&s->load, 1);
  s->first = c;
  *self = c;
  return 0;
}

int ub_sched_after_fork(struct ub_sched *s)
{
  assert(s->current != &s->main);
  s->rq_head = s->rq_tail = NULL;
  s->live = 1;
  atomic_store(&s->load, 1);
  atomic_store(&s->remote, NULL);
  atomic_store(&s->call, NULL); /* the asking thread did not survive */
  s->all = NULL;
  if (s->first != s->current)
    s->first = NULL; /* the main thread did not survive the fork */
  if (s->index >= 0) {
    for (int i = 0; i < GROUP_MAX; i++)
      atomic_store(&group[i], i == s->index ? s : NULL);
    atomic_store(&group_n, 1);
    atomic_store(&live_total, 1);
  }
  all_add(s, s->current);
  for (int b = 0; b < 64; b++)
    s->blocked[b] = 0;
  count_mask(s, s->current->sigmask, +1);
  s->leaving = NULL;
  ub_handoff_after_fork(s);
  int err = ub_loop_after_fork(&s->loop);
  s->loop.wait_mask = &s->idle_mask;
  return err;
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
  all_remove(s, c);
  count_mask(s, c->sigmask, -1);
  s->dead_stack = c->stack;
  s->live--;
  atomic_fetch_sub(&s->load, 1);
  if (s->index >= 0)
    atomic_fetch_sub(&live_total, 1);
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

int ub_sched_join(struct ub_coro *c, void **ret, uint64_t deadline)
{
  struct ub_sched *s = tls_sched;
  if (s == NULL || s->current == &s->main)
    return -EPERM; /* only a green thread can park */
  if (c == s->current)
    return -EDEADLK;
  uintptr_t seen = atomic_load(&c->join);
  if (seen == 0 && deadline == 0)
    return -EBUSY;
  struct ub_wait w;
  ub_sched_wait_init(&w);
  ub_loop_arm(&s->loop, &w, -1, 0, deadline);
  if (seen == 0 &&
      atomic_compare_exchange_strong(&c->join, &seen, (uintptr_t)&w)) {
    int r = ub_sched_park_intr(&w);
    if (r != 0) {
      /* Timed out, or cut short (a signal, a cancel): withdraw from the
       * join word, unless the exit got there first: then it is dead, and
       * its post lost the claim. */
      uintptr_t mine = (uintptr_t)&w;
      if (atomic_compare_exchange_strong(&c->join, &mine, 0))
        return r;
    }
  } else {
    ub_loop_cancel(&s->loop, &w);
    if (seen != UB_JOIN_DEAD)
      return -EINVAL; /* detached, or somebody else is joining it */
  }
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

bool ub_sched_clock_parks;

int ub_sched_park(struct ub_wait *w)
{
  struct ub_sched *s = tls_sched;
  struct ub_coro *c = s->current;
  assert(c != &s->main);
  if (c->state == UB_CORO_RUNNING) /* not already resumed */
    c->state = UB_CORO_WAITING;
  c->parked_on = w;
  if (__builtin_expect(ub_sched_clock_parks, 0)) {
    uint64_t t0 = ub_clock_now();
    reschedule(s);
    c->parked_ns += ub_clock_now() - t0;
  } else {
    reschedule(s);
  }
  return w->result;
}

int ub_sched_park_intr(struct ub_wait *w)
{
  struct ub_coro *c = tls_sched->current;
  c->intr_wait = w;
  int r = ub_sched_park(w);
  c->intr_wait = NULL;
  return r;
}

int ub_sched_wait_fd(int fd, unsigned dir, uint64_t deadline)
{
  struct ub_wait w;
  ub_sched_wait_init(&w);
  int r = ub_loop_arm(&tls_sched->loop, &w, fd, dir, deadline);
  return r != 0 ? r : ub_sched_park_intr(&w);
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
