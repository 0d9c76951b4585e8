/*
 * handoff.c - stealing a stuck carrier and giving it back (handoff.h).
 *
 * Who touches what:
 *   - A carrier's scheduler state belongs to the thread its lease names.
 *     The monitor takes the lease only from a thread in the program's
 *     code (UB_LEASE_USER), with one compare-and-swap; a thread entering
 *     the runtime takes its own lease back with one too, so exactly one of
 *     the two wins.
 *   - A stolen-from thread is recorded (struct ub_stolen) before the
 *     swap, so it always finds its record when it comes back.  The record
 *     keeps its green thread and its scheduler context (s->main as it was),
 *     which the driver puts back when it gives the carrier back.
 *   - The list of records is under the carrier's stolen_lock, a spinlock
 *     held for a few instructions.
 */
#include "handoff.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdlib.h>

#include "guard.h"
#include "sys.h"

struct ub_stolen {
  struct ub_stolen *next;
  uintptr_t victim; /* the thread's token */
  struct ub_coro *stuck;
  struct ub_coro stash; /* its scheduler context */
  bool in_user;         /* it asked from the program's code */
  bool want;
  atomic_int granted; /* futex */
};

static atomic_int spare_lock;
static struct ub_spare *idle;
static atomic_uint serving;

static void lock(atomic_int *l)
{
  while (atomic_exchange_explicit(l, 1, memory_order_acquire) != 0)
    while (atomic_load_explicit(l, memory_order_relaxed) != 0)
      __builtin_ia32_pause();
}

static void unlock(atomic_int *l)
{
  atomic_store_explicit(l, 0, memory_order_release);
}

static void futex_wait(atomic_int *w, int v, const struct timespec *ts)
{
  syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, v, ts, NULL, 0);
}

static void futex_wake(atomic_int *w)
{
  syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

struct ub_spare *ub_handoff_spare(void)
{
  lock(&spare_lock);
  struct ub_spare *sp = idle;
  if (sp != NULL)
    idle = sp->next;
  unlock(&spare_lock);
  return sp;
}

unsigned ub_handoff_spares(void)
{
  return atomic_load(&serving);
}

void ub_handoff_unused(struct ub_spare *sp)
{
  lock(&spare_lock);
  sp->next = idle;
  idle = sp;
  unlock(&spare_lock);
}

bool ub_handoff_steal(struct ub_sched *s, uintptr_t seen, struct ub_spare *sp)
{
  struct ub_stolen *r = calloc(1, sizeof(*r));
  if (r == NULL)
    return false;
  r->victim = seen & ~UB_LEASE_USER;
  lock(&s->stolen_lock);
  r->next = s->stolen;
  s->stolen = r;
  unlock(&s->stolen_lock);
  if (!atomic_compare_exchange_strong(&s->lease, &seen, sp->token)) {
    lock(&s->stolen_lock);
    struct ub_stolen **p = &s->stolen;
    while (*p != r)
      p = &(*p)->next;
    *p = r->next;
    unlock(&s->stolen_lock);
    free(r);
    return false;
  }
  /* The carrier is ours; its thread runs the program's code and touches
   * none of it.  Its green thread and scheduler context go aside. */
  r->stuck = s->current;
  r->stash = s->main;
  s->loop.thread =
      NULL; /* posts go through the inbox until the spare owns it */
  sp->give = s;
  atomic_store(&sp->wake, 1);
  futex_wake(&sp->wake);
  return true;
}

bool ub_handoff_give_back(struct ub_sched *s)
{
  lock(&s->stolen_lock);
  struct ub_stolen **p = &s->stolen;
  while (*p != NULL && !(*p)->want)
    p = &(*p)->next;
  struct ub_stolen *r = *p;
  if (r == NULL) {
    atomic_store(&s->want_back, 0);
    unlock(&s->stolen_lock);
    return false;
  }
  *p = r->next;
  unlock(&s->stolen_lock);
  s->main = r->stash;
  s->current = r->stuck;
  s->leaving = NULL;
  s->real_mask = r->stuck->sigmask; /* that thread's mask is its */
  ub_sched_tls = NULL;
  atomic_store(&s->lease, r->in_user ? r->victim | UB_LEASE_USER : r->victim);
  atomic_store(&r->granted, 1);
  futex_wake(&r->granted);
  return true;
}

void ub_sched_reclaim(struct ub_sched *s, bool in_user)
{
  uintptr_t me = ub_sched_token();
  for (;;) {
    lock(&s->stolen_lock);
    struct ub_stolen *r = s->stolen;
    while (r != NULL && r->victim != me)
      r = r->next;
    if (r == NULL) {
      /* No record: the lease is ours after all (read while a steal
       * failed), or a steal is pushing its record.  Look again. */
      unlock(&s->stolen_lock);
      uintptr_t l = atomic_load(&s->lease);
      if ((l & ~UB_LEASE_USER) == me) {
        if (!in_user)
          atomic_compare_exchange_strong(&s->lease, &l, me);
        if ((atomic_load(&s->lease) & ~UB_LEASE_USER) == me)
          return;
      }
      __builtin_ia32_pause();
      continue;
    }
    r->in_user = in_user;
    r->want = true;
    atomic_store(&s->want_back, 1);
    unlock(&s->stolen_lock);
    ub_loop_wake(&s->loop); /* the driver may be idle in the loop */
    while (atomic_load(&r->granted) == 0)
      futex_wait(&r->granted, 0, NULL);
    free(r);
    ub_loop_own(&s->loop);
    atomic_store(&s->tid, (pid_t)syscall(SYS_gettid));
    return;
  }
}

/* Drive s, just stolen for us, until we give it back. */
static void drive(struct ub_sched *s, struct ub_stack own)
{
  ub_sched_tls = s;
  ub_loop_own(&s->loop);
  s->main = (struct ub_coro){.stack = own, .home = s, .state = UB_CORO_RUNNING};
  s->current = &s->main;
  s->leaving = NULL;
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, NULL, &s->real_mask,
          UB_SIGSET_BYTES);
  atomic_store(&s->tid, (pid_t)syscall(SYS_gettid));
  int r = ub_sched_run(s);
  if (r != UB_SCHED_HANDED_BACK && s->on_empty != NULL)
    s->on_empty(s); /* nothing is left to run, anywhere */
  ub_sched_tls = NULL;
}

void ub_handoff_serve(struct ub_spare *me, uint64_t idle_ns)
{
  me->token = ub_sched_token();
  me->tid = (pid_t)syscall(SYS_gettid);
  void *altstack = NULL;
  (void)ub_guard_thread_init(&altstack); /* overflow reports, if it can */
  struct ub_stack own = {0};
  atomic_fetch_add(&serving, 1);
  for (;;) {
    atomic_store(&me->wake, 0);
    me->give = NULL;
    ub_handoff_unused(me);
    struct timespec ts = {(time_t)(idle_ns / 1000000000),
                          (long)(idle_ns % 1000000000)};
    while (atomic_load(&me->wake) == 0) {
      futex_wait(&me->wake, 0, idle_ns != 0 ? &ts : NULL);
      if (atomic_load(&me->wake) != 0 || idle_ns == 0)
        continue;
      /* Idle that long: retire, unless taken off the list meanwhile. */
      lock(&spare_lock);
      struct ub_spare **p = &idle;
      while (*p != NULL && *p != me)
        p = &(*p)->next;
      bool listed = *p == me;
      if (listed)
        *p = me->next;
      unlock(&spare_lock);
      if (listed) {
        atomic_fetch_sub(&serving, 1);
        ub_guard_thread_fini(altstack);
        return;
      }
      while (atomic_load(&me->wake) == 0) /* being handed one right now */
        futex_wait(&me->wake, 0, NULL);
    }
    drive(me->give, own);
  }
}

void ub_handoff_after_fork(struct ub_sched *s)
{
  s->stolen = NULL; /* leaked: those threads are gone */
  atomic_store(&s->stolen_lock, 0);
  atomic_store(&s->want_back, 0);
  atomic_store(&s->lease, ub_sched_token());
  atomic_store(&s->tid, (pid_t)syscall(SYS_gettid));
  atomic_store(&spare_lock, 0);
  idle = NULL;
  atomic_store(&serving, 0);
}
