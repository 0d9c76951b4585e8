/*
 * waitq.h - the wait queue under every green-aware lock (mutex, cond,
 * rwlock, barrier, semaphore).
 *
 * A lock object embeds a tiny spinlock and a FIFO of waiters.  A waiter is
 * either a green thread, which parks on its carrier's loop, or a thread
 * the shim did not create, which sleeps on a futex in the waiter itself.
 * The spinlock is only ever held for a few instructions and never across a
 * park, so a green thread never spins on a lock held by a parked one.
 *
 * Protocol:
 *   - A waiter is pushed, popped and woken only under the object's
 *     spinlock.  The waker pops it, sets `result`, and wakes it while still
 *     holding the spinlock, so the waiter (on its stack) cannot vanish.
 *   - ub_waiter_wait releases the spinlock and sleeps.  When it comes back
 *     by timeout or interruption, it takes the spinlock again: if it is
 *     still queued it withdraws and reports that; if a waker popped it in
 *     the meantime, the wake counts, and it reports the waker's result.
 */
#ifndef UB_WAITQ_H
#define UB_WAITQ_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "deadline.h"
#include "loop.h"

struct ub_waiter {
  struct ub_waiter *next, *prev;
  struct ub_wait w; /* a green waiter's wait on its loop */
  bool green;
  bool queued;
  atomic_int futex; /* a native waiter: 0 asleep, 1 woken */
  int result;       /* what the waker says: 0, or a lock-specific value */
  uintptr_t owner;  /* who the waiter is (rwlock handoff) */
  unsigned epoch;   /* ub_waitq_epoch when it queued (see below) */
  int kind;         /* lock-specific (rwlock: reader or writer) */
};

struct ub_waitq {
  struct ub_waiter *head, *tail;
};

/*
 * fork() keeps only the calling thread, but the waiters other threads had
 * queued on locks in memory stay in the child's copy.  The child bumps the
 * epoch (ub_waitq_after_fork), and pop skips any waiter from before it, so
 * an unlock in the child never hands a lock to a thread that is gone.
 */
extern unsigned ub_waitq_epoch;
void ub_waitq_after_fork(void);
static inline bool ub_waiter_alive(const struct ub_waiter *w)
{
  return w->epoch == ub_waitq_epoch;
}

void ub_spin_lock(atomic_int *l);
void ub_spin_unlock(atomic_int *l);

/*
 * For process-shared objects, whose waiters cannot queue (another process
 * cannot follow our pointers): sleep a millisecond, or until deadline if
 * that comes first, parking a green thread.  0, -ETIMEDOUT if deadline
 * has passed, or what ub_sched_sleep says (-EINTR, -ECANCELED).
 */
int ub_pause(uint64_t deadline);

/* Who is calling: a green thread's coro, or the native pthread_t. */
uintptr_t ub_self_token(void);

void ub_waiter_init(struct ub_waiter *w);
/* All under the object's spinlock: */
void ub_waitq_push(struct ub_waitq *q, struct ub_waiter *w);
void ub_waitq_push_front(struct ub_waitq *q, struct ub_waiter *w);
struct ub_waiter *ub_waitq_pop(struct ub_waitq *q);
void ub_waitq_remove(struct ub_waitq *q, struct ub_waiter *w);
/* Wake w with result; a carrier's doorbell is only noted in *ring: ring
 * it with ub_loop_ring(*ring) once the spinlock is dropped (loop.h). */
void ub_waiter_wake(struct ub_waiter *w, int result, uint64_t *ring);

/*
 * Release *lock (held, with w queued on q) and sleep until woken or until
 * deadline (UB_NEVER: none).  With intr, a signal or a cancel may end the
 * wait early (-EINTR, -ECANCELED).  Returns the waker's result, or
 * -ETIMEDOUT / -EINTR / -ECANCELED having withdrawn w.  Returns with the
 * spinlock released.
 */
int ub_waiter_wait(struct ub_waitq *q, struct ub_waiter *w, atomic_int *lock,
                   uint64_t deadline, bool intr);

#endif
