/*
 * cond.c - green-aware condition variables: wait, timedwait and clockwait
 * (CLOCK_REALTIME or CLOCK_MONOTONIC, from the condattr or the call),
 * signal and broadcast.
 *
 * A waiter queues itself on the condition before it releases the mutex
 * (both under the condition's spinlock), so a signal sent after the
 * unlock always finds it: no lost wake-up.  signal wakes the oldest
 * waiter, broadcast all of them; each then re-takes the mutex, parking if
 * it must.  A signal handler interrupting the wait ends it early, which
 * POSIX allows as a spurious wake-up (return 0), as natively.
 *
 * Process-shared conditions cannot keep waiter pointers: their waits
 * sleep one millisecond and return, a legal spurious wake-up.
 */
#include <errno.h>

#include "hook.h"
#include "sync.h"
#include "thread.h"

struct ub_cond {
  atomic_int lock;
  int clock; /* CLOCK_REALTIME (0, the static initializer's) or MONOTONIC */
  int pshared;
  int pad;
  struct ub_waitq q;
};
_Static_assert(sizeof(struct ub_cond) <= sizeof(pthread_cond_t), "cond");

int pthread_cond_init(pthread_cond_t *pc, const pthread_condattr_t *attr)
{
  UB_OBSERVED(real.pthread_cond_init(pc, attr));
  struct ub_cond *c = (struct ub_cond *)pc;
  *pc = (pthread_cond_t){0};
  if (attr != NULL) {
    clockid_t clock = CLOCK_REALTIME;
    pthread_condattr_getclock(attr, &clock);
    pthread_condattr_getpshared(attr, &c->pshared);
    c->clock = (int)clock;
  }
  return 0;
}

int pthread_cond_destroy(pthread_cond_t *pc)
{
  UB_OBSERVED(real.pthread_cond_destroy(pc));
  struct ub_cond *c = (struct ub_cond *)pc;
  return c->q.head != NULL ? EBUSY : 0;
}

static int cond_wait(struct ub_cond *c, struct ub_mutex *m, uint64_t deadline)
{
  UB_ENTER(s);
  (void)s;
  ub_cancel_point();
  if (c->pshared == PTHREAD_PROCESS_SHARED) {
    int err = ub_mutex_unlock(m);
    if (err != 0)
      return err;
    ub_pause(deadline);
    ub_mutex_lock(m, UB_NEVER);
    return ub_clock_now() >= deadline ? -ETIMEDOUT : 0;
  }
  struct ub_waiter w;
  ub_waiter_init(&w);
  ub_spin_lock(&c->lock);
  ub_waitq_push(&c->q, &w);
  int err = ub_mutex_unlock(m);
  if (err != 0) {
    ub_waitq_remove(&c->q, &w);
    ub_spin_unlock(&c->lock);
    return err;
  }
  int r = ub_waiter_wait(&c->q, &w, &c->lock, deadline, true);
  ub_mutex_lock(m, UB_NEVER);
  if (r == -ECANCELED)
    ub_cancel_point();
  return r == -ETIMEDOUT ? -ETIMEDOUT : 0;
}

int pthread_cond_wait(pthread_cond_t *pc, pthread_mutex_t *pm)
{
  UB_CALL(-1);
  UB_OBSERVED(real.pthread_cond_wait(pc, pm));
  return -cond_wait((struct ub_cond *)pc, (struct ub_mutex *)pm, UB_NEVER);
}

int pthread_cond_clockwait(pthread_cond_t *pc, pthread_mutex_t *pm,
                           clockid_t clock, const struct timespec *abstime)
{
  UB_CALL(-1);
  UB_OBSERVED(real.pthread_cond_clockwait(pc, pm, clock, abstime));
  if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC)
    return EINVAL;
  uint64_t deadline;
  int err = ub_deadline_abs(clock, abstime, &deadline);
  if (err != 0)
    return -err;
  return -cond_wait((struct ub_cond *)pc, (struct ub_mutex *)pm, deadline);
}

int pthread_cond_timedwait(pthread_cond_t *pc, pthread_mutex_t *pm,
                           const struct timespec *abstime)
{
  UB_CALL(-1);
  UB_OBSERVED(real.pthread_cond_timedwait(pc, pm, abstime));
  struct ub_cond *c = (struct ub_cond *)pc;
  return pthread_cond_clockwait(pc, pm, c->clock, abstime);
}

int pthread_cond_signal(pthread_cond_t *pc)
{
  UB_OBSERVED(real.pthread_cond_signal(pc));
  struct ub_cond *c = (struct ub_cond *)pc;
  uint64_t ring = 0;
  ub_spin_lock(&c->lock);
  struct ub_waiter *w = ub_waitq_pop(&c->q);
  if (w != NULL)
    ub_waiter_wake(w, 0, &ring);
  ub_spin_unlock(&c->lock);
  ub_loop_ring(ring);
  return 0;
}

int pthread_cond_broadcast(pthread_cond_t *pc)
{
  UB_OBSERVED(real.pthread_cond_broadcast(pc));
  struct ub_cond *c = (struct ub_cond *)pc;
  uint64_t ring = 0;
  ub_spin_lock(&c->lock);
  struct ub_waiter *w;
  while ((w = ub_waitq_pop(&c->q)) != NULL)
    ub_waiter_wake(w, 0, &ring);
  ub_spin_unlock(&c->lock);
  ub_loop_ring(ring);
  return 0;
}
