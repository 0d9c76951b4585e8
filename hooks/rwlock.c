/*
 * rwlock.c - green-aware rwlocks, barriers and spinlocks.
 *
 * rwlocks prefer readers, as glibc's default kind does: a reader gets in
 * whenever no writer holds the lock, so a thread may take a read lock it
 * already holds even while a writer waits.  The kind
 * PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP (from the attribute, or its
 * static initializer, which sets glibc's __flags word: we keep that word
 * where it is) keeps new readers out while a writer waits.  The unlock that
 * frees the lock hands it over: to every waiting reader if the departing holder
 * was a writer and readers wait, else to the oldest waiting writer.
 *
 * A spinlock must not spin the carrier against a green thread that holds
 * it and cannot run: a green thread that finds it taken yields instead.
 */
#include <errno.h>
#include <stddef.h>

#include "hook.h"
#include "sync.h"

enum { READER, WRITER };

struct ub_rwlock {
  atomic_int lock;
  unsigned readers;
  uintptr_t writer; /* token of the writer holding it; 0: none */
  struct ub_waitq q;
  char unused[16];
  unsigned kind; /* glibc's __flags: PTHREAD_RWLOCK_PREFER_*_NP */
};
_Static_assert(sizeof(struct ub_rwlock) <= sizeof(pthread_rwlock_t), "rw");
_Static_assert(offsetof(struct ub_rwlock, kind) ==
                   offsetof(pthread_rwlock_t, __data.__flags),
               "rwlock kind where the static initializers put it");

/* Must a new reader queue behind a waiting writer?  Under the spinlock. */
static bool writer_first(const struct ub_rwlock *rw)
{
  if (rw->kind != PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP)
    return false;
  for (const struct ub_waiter *w = rw->q.head; w != NULL; w = w->next)
    if (w->kind == WRITER)
      return true;
  return false;
}

/*
 * No writer holds the lock: let waiters in, under the spinlock.  If it is
 * free and a writer heads the queue, that writer gets it; otherwise every
 * queued reader does, and writers stay queued in order.  Waiters left by
 * threads that did not survive a fork are dropped on the way.
 */
static void admit(struct ub_rwlock *rw, uint64_t *ring)
{
  for (struct ub_waiter *w = rw->q.head; w != NULL;) {
    struct ub_waiter *next = w->next;
    if (!ub_waiter_alive(w))
      ub_waitq_remove(&rw->q, w);
    w = next;
  }
  struct ub_waiter *head = rw->q.head;
  if (head != NULL && head->kind == WRITER) {
    if (rw->readers == 0) {
      ub_waitq_remove(&rw->q, head);
      rw->writer = head->owner;
      ub_waiter_wake(head, 0, ring);
    }
    return;
  }
  for (struct ub_waiter *w = head; w != NULL;) {
    struct ub_waiter *next = w->next;
    if (w->kind == READER) {
      ub_waitq_remove(&rw->q, w);
      rw->readers++;
      ub_waiter_wake(w, 0, ring);
    }
    w = next;
  }
}

static int lock(pthread_rwlock_t *p, int kind, uint64_t deadline)
{
  UB_ENTER(s);
  (void)s;
  struct ub_rwlock *rw = (struct ub_rwlock *)p;
  uintptr_t me = ub_self_token();
  ub_spin_lock(&rw->lock);
  int err = 0;
  if (rw->writer == me)
    err = -EDEADLK;
  else if (kind == READER && rw->writer == 0 && !writer_first(rw))
    rw->readers++;
  else if (kind == WRITER && rw->writer == 0 && rw->readers == 0)
    rw->writer = me;
  else if (deadline == 0)
    err = -EBUSY;
  else {
    struct ub_waiter w;
    ub_waiter_init(&w);
    w.kind = kind;
    ub_waitq_push(&rw->q, &w);
    int r = ub_waiter_wait(&rw->q, &w, &rw->lock, deadline, false);
    if (r == -ETIMEDOUT && kind == WRITER) {
      /* A writer that gave up may have been all that kept queued readers
       * out (the writer-preferring kind): let them in now. */
      uint64_t ring = 0;
      ub_spin_lock(&rw->lock);
      if (rw->writer == 0 && (rw->readers == 0 || !writer_first(rw)))
        admit(rw, &ring);
      ub_spin_unlock(&rw->lock);
      ub_loop_ring(ring);
    }
    return r;
  }
  ub_spin_unlock(&rw->lock);
  return err;
}

static int timed(pthread_rwlock_t *p, int kind, clockid_t clock,
                 const struct timespec *abstime)
{
  if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC)
    return EINVAL; /* as glibc: the clock first, the time if it must wait */
  int err = lock(p, kind, 0);
  if (err != -EBUSY)
    return -err;
  uint64_t deadline;
  err = ub_deadline_abs(clock, abstime, &deadline);
  if (err == 0)
    err = lock(p, kind, deadline == 0 ? 1 : deadline);
  return -err;
}

int pthread_rwlock_init(pthread_rwlock_t *p, const pthread_rwlockattr_t *attr)
{
  UB_OBSERVED(real.pthread_rwlock_init(p, attr));
  int kind = PTHREAD_RWLOCK_DEFAULT_NP;
  if (attr != NULL)
    pthread_rwlockattr_getkind_np(attr, &kind);
  *p = (pthread_rwlock_t){0};
  ((struct ub_rwlock *)p)->kind = (unsigned)kind;
  return 0;
}

int pthread_rwlock_destroy(pthread_rwlock_t *p)
{
  UB_OBSERVED(real.pthread_rwlock_destroy(p));
  struct ub_rwlock *rw = (struct ub_rwlock *)p;
  return rw->writer != 0 || rw->readers != 0 ? EBUSY : 0;
}

int pthread_rwlock_rdlock(pthread_rwlock_t *p)
{
  UB_CALL(-1);
  UB_OBSERVED(real.pthread_rwlock_rdlock(p));
  return -lock(p, READER, UB_NEVER);
}

int pthread_rwlock_tryrdlock(pthread_rwlock_t *p)
{
  UB_OBSERVED(real.pthread_rwlock_tryrdlock(p));
  int err = -lock(p, READER, 0);
  return err == EDEADLK ? EBUSY : err;
}

int pthread_rwlock_clockrdlock(pthread_rwlock_t *p, clockid_t clock,
                               const struct timespec *abstime)
{
  UB_CALL(-1);
  UB_OBSERVED(real.pthread_rwlock_clockrdlock(p, clock, abstime));
  return timed(p, READER, clock, abstime);
}

int pthread_rwlock_timedrdlock(pthread_rwlock_t *p,
                               const struct timespec *abstime)
{
  UB_CALL(-1);
  UB_OBSERVED(real.pthread_rwlock_timedrdlock(p, abstime));
  return timed(p, READER, CLOCK_REALTIME, abstime);
}

int pthread_rwlock_wrlock(pthread_rwlock_t *p)
{
  UB_CALL(-1);
  UB_OBSERVED(real.pthread_rwlock_wrlock(p));
  return -lock(p, WRITER, UB_NEVER);
}

int pthread_rwlock_trywrlock(pthread_rwlock_t *p)
{
  UB_OBSERVED(real.pthread_rwlock_trywrlock(p));
  int err = -lock(p, WRITER, 0);
  return err == EDEADLK ? EBUSY : err;
}

int pthread_rwlock_clockwrlock(pthread_rwlock_t *p, clockid_t clock,
                               const struct timespec *abstime)
{
  UB_CALL(-1);
  UB_OBSERVED(real.pthread_rwlock_clockwrlock(p, clock, abstime));
  return timed(p, WRITER, clock, abstime);
}

int pthread_rwlock_timedwrlock(pthread_rwlock_t *p,
                               const struct timespec *abstime)
{
  UB_CALL(-1);
  UB_OBSERVED(real.pthread_rwlock_timedwrlock(p, abstime));
  return timed(p, WRITER, CLOCK_REALTIME, abstime);
}

int pthread_rwlock_unlock(pthread_rwlock_t *p)
{
  UB_OBSERVED(real.pthread_rwlock_unlock(p));
  struct ub_rwlock *rw = (struct ub_rwlock *)p;
  uint64_t ring = 0;
  ub_spin_lock(&rw->lock);
  if (rw->writer != 0)
    rw->writer = 0;
  else if (rw->readers > 0)
    rw->readers--;
  if (rw->writer == 0 && rw->readers == 0)
    admit(rw, &ring);
  ub_spin_unlock(&rw->lock);
  ub_loop_ring(ring);
  return 0;
}

/* ---- barriers ------------------------------------------------------- */

struct ub_barrier {
  atomic_int lock;
  unsigned count;   /* threads that must arrive */
  unsigned arrived; /* in the current round */
  struct ub_waitq q;
};
_Static_assert(sizeof(struct ub_barrier) <= sizeof(pthread_barrier_t), "bar");

int pthread_barrier_init(pthread_barrier_t *p,
                         const pthread_barrierattr_t *attr, unsigned count)
{
  UB_OBSERVED(real.pthread_barrier_init(p, attr, count));
  (void)attr;
  if (count == 0)
    return EINVAL;
  *p = (pthread_barrier_t){0};
  ((struct ub_barrier *)p)->count = count;
  return 0;
}

int pthread_barrier_destroy(pthread_barrier_t *p)
{
  UB_OBSERVED(real.pthread_barrier_destroy(p));
  struct ub_barrier *b = (struct ub_barrier *)p;
  return b->arrived != 0 ? EBUSY : 0;
}

int pthread_barrier_wait(pthread_barrier_t *p)
{
  UB_ENTER(s);
  UB_OBSERVED(real.pthread_barrier_wait(p));
  (void)s;
  struct ub_barrier *b = (struct ub_barrier *)p;
  ub_spin_lock(&b->lock);
  if (++b->arrived == b->count) {
    b->arrived = 0;
    struct ub_waiter *w;
    uint64_t ring = 0;
    while ((w = ub_waitq_pop(&b->q)) != NULL)
      ub_waiter_wake(w, 0, &ring);
    ub_spin_unlock(&b->lock);
    ub_loop_ring(ring);
    return PTHREAD_BARRIER_SERIAL_THREAD;
  }
  struct ub_waiter w;
  ub_waiter_init(&w);
  ub_waitq_push(&b->q, &w);
  return ub_waiter_wait(&b->q, &w, &b->lock, UB_NEVER, false);
}

/* ---- spinlocks ------------------------------------------------------ */

int pthread_spin_init(pthread_spinlock_t *l, int pshared)
{
  UB_OBSERVED(real.pthread_spin_init(l, pshared));
  (void)pshared;
  *l = 0;
  return 0;
}

int pthread_spin_destroy(pthread_spinlock_t *l)
{
  UB_OBSERVED(real.pthread_spin_destroy(l));
  (void)l;
  return 0;
}

int pthread_spin_trylock(pthread_spinlock_t *l)
{
  UB_OBSERVED(real.pthread_spin_trylock(l));
  int free = 0;
  return atomic_compare_exchange_strong((atomic_int *)l, &free, 1) ? 0 : EBUSY;
}

int pthread_spin_lock(pthread_spinlock_t *l)
{
  UB_ENTER(s);
  UB_OBSERVED(real.pthread_spin_lock(l));
  while (pthread_spin_trylock(l) != 0) {
    if (s != NULL)
      ub_sched_yield();
    else
      __builtin_ia32_pause();
  }
  return 0;
}

int pthread_spin_unlock(pthread_spinlock_t *l)
{
  UB_OBSERVED(real.pthread_spin_unlock(l));
  atomic_store((atomic_int *)l, 0);
  return 0;
}
