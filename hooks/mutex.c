/*
 * mutex.c - green-aware pthread mutexes: normal, recursive, errorcheck
 * (adaptive behaves as normal), with trylock, timedlock and clocklock.
 *
 * A mutex is owned by a green thread (or a native thread the shim did not
 * create), not by the carrier, so two green threads on one carrier exclude
 * each other, and a recursive or errorcheck mutex tells them apart.  A
 * green thread that finds the mutex held parks.  The unlocker frees the
 * mutex and wakes the oldest waiter, which tries again when it runs; as
 * with glibc, a thread that comes first may take the mutex meanwhile, and
 * the waiter then queues again at the head.  Handing the mutex to the
 * waiter instead would keep it held until the waiter's carrier gets to it,
 * behind every runnable thread there, and every other thread that wants
 * the mutex would queue behind that (a convoy: waits of seconds at 10,000
 * connections on 2 carriers).  Each unlock with waiters wakes one, so a
 * free mutex with waiters always has a woken waiter on its way.
 *
 * Process-shared mutexes cannot keep waiter pointers (another process
 * cannot follow them), so their waiters poll every millisecond instead;
 * the owner token then includes the pid.  See docs/limits.md.
 */
#include <errno.h>

#include "hook.h"
#include "sync.h"

static int type_of(const struct ub_mutex *m)
{
  return m->kind & UB_MUTEX_TYPE_MASK;
}

static uintptr_t token(const struct ub_mutex *m)
{
  uintptr_t t = ub_self_token();
  if (m->kind & UB_MUTEX_PSHARED)
    t ^= (uintptr_t)getpid() << 48;
  return t;
}

int ub_mutex_lock(struct ub_mutex *m, uint64_t deadline)
{
  uintptr_t me = token(m);
  bool woken = false; /* an unlock woke us: we queue again at the head */
  for (;;) {
    ub_spin_lock(&m->lock);
    if (m->owner == 0) {
      m->owner = me;
      m->count = 1;
      ub_spin_unlock(&m->lock);
      return 0;
    }
    if (m->owner == me) {
      int err = 0;
      if (type_of(m) == PTHREAD_MUTEX_RECURSIVE) {
        if (m->count == ~0u)
          err = -EAGAIN;
        else
          m->count++;
        ub_spin_unlock(&m->lock);
        return err;
      }
      if (type_of(m) == PTHREAD_MUTEX_ERRORCHECK) {
        ub_spin_unlock(&m->lock);
        return deadline == 0 ? -EBUSY : -EDEADLK;
      }
      /* A normal mutex locked twice deadlocks, natively too. */
    }
    if (deadline == 0) {
      ub_spin_unlock(&m->lock);
      return -EBUSY;
    }
    if (m->kind & UB_MUTEX_PSHARED) {
      ub_spin_unlock(&m->lock);
      if (ub_pause(deadline) == -ETIMEDOUT)
        return -ETIMEDOUT;
      continue;
    }
    struct ub_waiter w;
    ub_waiter_init(&w);
    if (woken)
      ub_waitq_push_front(&m->q, &w);
    else
      ub_waitq_push(&m->q, &w);
    int err = ub_waiter_wait(&m->q, &w, &m->lock, deadline, false);
    if (err != 0)
      return err;
    woken = true;
  }
}

int ub_mutex_unlock(struct ub_mutex *m)
{
  uintptr_t me = token(m);
  ub_spin_lock(&m->lock);
  if (m->owner != me && type_of(m) != PTHREAD_MUTEX_NORMAL &&
      type_of(m) != PTHREAD_MUTEX_ADAPTIVE_NP) {
    ub_spin_unlock(&m->lock);
    return -EPERM;
  }
  if (m->owner == 0) { /* unlocking an unlocked normal mutex */
    ub_spin_unlock(&m->lock);
    return 0;
  }
  if (--m->count > 0 && type_of(m) == PTHREAD_MUTEX_RECURSIVE) {
    ub_spin_unlock(&m->lock);
    return 0;
  }
  m->owner = 0;
  m->count = 0;
  struct ub_waiter *w = ub_waitq_pop(&m->q);
  uint64_t ring = 0;
  if (w != NULL)
    ub_waiter_wake(w, 0, &ring);
  ub_spin_unlock(&m->lock);
  ub_loop_ring(ring);
  return 0;
}

int pthread_mutex_init(pthread_mutex_t *pm, const pthread_mutexattr_t *attr)
{
  UB_OBSERVED(real.pthread_mutex_init(pm, attr));
  struct ub_mutex *m = (struct ub_mutex *)pm;
  int type = PTHREAD_MUTEX_NORMAL, pshared = PTHREAD_PROCESS_PRIVATE;
  if (attr != NULL) {
    pthread_mutexattr_gettype(attr, &type);
    pthread_mutexattr_getpshared(attr, &pshared);
  }
  *pm = (pthread_mutex_t){0};
  m->kind = type | (pshared == PTHREAD_PROCESS_SHARED ? UB_MUTEX_PSHARED : 0);
  return 0;
}

int pthread_mutex_destroy(pthread_mutex_t *pm)
{
  UB_OBSERVED(real.pthread_mutex_destroy(pm));
  struct ub_mutex *m = (struct ub_mutex *)pm;
  return m->owner != 0 ? EBUSY : 0;
}

int pthread_mutex_lock(pthread_mutex_t *pm)
{
  UB_CALL(-1);
  UB_OBSERVED(real.pthread_mutex_lock(pm));
  return -ub_mutex_lock((struct ub_mutex *)pm, UB_NEVER);
}

int pthread_mutex_trylock(pthread_mutex_t *pm)
{
  UB_CALL(-1);
  UB_OBSERVED(real.pthread_mutex_trylock(pm));
  return -ub_mutex_lock((struct ub_mutex *)pm, 0);
}

int pthread_mutex_clocklock(pthread_mutex_t *pm, clockid_t clock,
                            const struct timespec *abstime)
{
  UB_CALL(-1);
  UB_OBSERVED(real.pthread_mutex_clocklock(pm, clock, abstime));
  struct ub_mutex *m = (struct ub_mutex *)pm;
  if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC)
    return EINVAL; /* glibc checks the clock first, the time only if it
                      must wait */
  int err = ub_mutex_lock(m, 0);
  if (err != -EBUSY)
    return -err;
  uint64_t deadline;
  err = ub_deadline_abs(clock, abstime, &deadline);
  if (err == 0)
    err = ub_mutex_lock(m, deadline == 0 ? 1 : deadline);
  return -err;
}

int pthread_mutex_timedlock(pthread_mutex_t *pm, const struct timespec *abstime)
{
  UB_CALL(-1);
  UB_OBSERVED(real.pthread_mutex_timedlock(pm, abstime));
  return pthread_mutex_clocklock(pm, CLOCK_REALTIME, abstime);
}

int pthread_mutex_unlock(pthread_mutex_t *pm)
{
  UB_OBSERVED(real.pthread_mutex_unlock(pm));
  return -ub_mutex_unlock((struct ub_mutex *)pm);
}
