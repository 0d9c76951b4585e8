/*
 * sem.c - green-aware POSIX semaphores.
 *
 * The value keeps glibc's place and encoding (the low 32 bits of the first
 * word; the high 32 count futex sleepers), so sem_getvalue, and semaphores
 * that sem_open maps or other processes share, stay compatible.  A
 * process-private semaphore (sem_init with pshared 0) also keeps a queue
 * of green waiters in bytes glibc leaves unused, behind a spinlock in
 * glibc's padding word.  Shared ones cannot: their green waiters poll
 * every millisecond, and native waiters use the real functions.
 *
 * sem_wait and friends are interrupted by a signal handler (EINTR) even
 * with SA_RESTART, as natively, and are cancellation points.
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>

#include "hook.h"
#include "sync.h"
#include "sys.h"
#include "fdio.h"
#include "thread.h"

/* glibc's `private` word: 0 for a process-private semaphore, 128 (its
 * LLL_SHARED) for one sem_init'ed shared or made by sem_open. */
#define SHARED 128

struct ub_sem {
  _Atomic uint64_t data; /* value | sleepers << 32, as glibc */
  int private;
  atomic_int lock;
  struct ub_waitq q; /* green waiters (private semaphores only) */
};
_Static_assert(sizeof(struct ub_sem) <= sizeof(sem_t), "sem");

static bool try_take(struct ub_sem *s)
{
  uint64_t d = atomic_load(&s->data);
  while ((uint32_t)d > 0)
    if (atomic_compare_exchange_weak(&s->data, &d, d - 1))
      return true;
  return false;
}

int sem_init(sem_t *sem, int pshared, unsigned value)
{
  UB_OBSERVED(real.sem_init(sem, pshared, value));
  if (value > SEM_VALUE_MAX) {
    errno = EINVAL;
    return -1;
  }
  struct ub_sem *s = (struct ub_sem *)sem;
  *sem = (sem_t){0};
  atomic_store(&s->data, value);
  s->private = pshared ? SHARED : 0;
  return 0;
}

int sem_destroy(sem_t *sem)
{
  UB_OBSERVED(real.sem_destroy(sem));
  (void)sem;
  return 0;
}

int sem_getvalue(sem_t *sem, int *value)
{
  UB_OBSERVED(real.sem_getvalue(sem, value));
  *value = (int)(uint32_t)atomic_load(&((struct ub_sem *)sem)->data);
  return 0;
}

int sem_trywait(sem_t *sem)
{
  UB_OBSERVED(real.sem_trywait(sem));
  if (try_take((struct ub_sem *)sem))
    return 0;
  errno = EAGAIN;
  return -1;
}

/*
 * sem_post is async-signal-safe, so a handler may call it on the very
 * green thread it interrupted, perhaps inside this file or the scheduler.
 * From a handler it therefore only adds to the value (and wakes native
 * sleepers), and pokes every carrier: between ticks, every green thread
 * parked in a sem wait looks again (hooks/signal.c).
 */
static int post_from_handler(struct ub_sem *s)
{
  uint64_t d = atomic_load(&s->data);
  do {
    if ((uint32_t)d == SEM_VALUE_MAX) {
      errno = EOVERFLOW;
      return -1;
    }
  } while (!atomic_compare_exchange_weak(&s->data, &d, d + 1));
  ub_sched_poke_all(); /* its waiters may be on any carrier */
  if (d >> 32)
    syscall(SYS_futex, &s->data,
            s->private == SHARED ? FUTEX_WAKE : FUTEX_WAKE_PRIVATE, 1, NULL,
            NULL, 0);
  return 0;
}

int sem_post(sem_t *sem)
{
  UB_OBSERVED(real.sem_post(sem));
  struct ub_sem *s = (struct ub_sem *)sem;
  if (ub_sig_depth > 0)
    return post_from_handler(s);
  bool private = s->private != SHARED;
  if (private)
    ub_spin_lock(&s->lock);
  uint64_t d = atomic_load(&s->data);
  do {
    if ((uint32_t)d == SEM_VALUE_MAX) {
      if (private)
        ub_spin_unlock(&s->lock);
      errno = EOVERFLOW;
      return -1;
    }
  } while (!atomic_compare_exchange_weak(&s->data, &d, d + 1));
  if (private) {
    struct ub_waiter *w = ub_waitq_pop(&s->q);
    uint64_t ring = 0;
    if (w != NULL)
      ub_waiter_wake(w, 0, &ring);
    ub_spin_unlock(&s->lock);
    ub_loop_ring(ring);
  }
  if (d >> 32) /* a native sleeper (glibc's protocol) */
    syscall(SYS_futex, &s->data,
            s->private == SHARED ? FUTEX_WAKE : FUTEX_WAKE_PRIVATE, 1, NULL,
            NULL, 0);
  return 0;
}

/* 0 or -errno; the green path of every wait. */
static int wait_green(struct ub_sem *s, uint64_t deadline)
{
  ub_cancel_point();
  for (;;) {
    if (try_take(s))
      return 0;
    if (deadline == 0 || ub_clock_now() >= deadline)
      return -ETIMEDOUT;
    int r;
    if (s->private != SHARED) {
      struct ub_waiter w;
      ub_waiter_init(&w);
      ub_spin_lock(&s->lock);
      if (try_take(s)) {
        ub_spin_unlock(&s->lock);
        return 0;
      }
      ub_waitq_push(&s->q, &w);
      struct ub_thread *t = ub_thread_self();
      t->sem_waiting = true;
      r = ub_waiter_wait(&s->q, &w, &s->lock, deadline, true);
      t->sem_waiting = false;
    } else {
      r = ub_pause(deadline); /* shared: no queue, so poll */
      if (r == -ETIMEDOUT)
        r = 0; /* the loop says ETIMEDOUT */
    }
    if (r == -EAGAIN)
      continue; /* a handler posted: look again */
    if (r == -ECANCELED)
      ub_cancel_point();
    /* The kernel restarts an untimed futex wait under SA_RESTART, and
     * never a timed one: sem_wait and sem_timedwait differ the same way. */
    if (r == -EINTR && deadline == UB_NEVER && ub_io_restart())
      continue;
    if (r == -EINTR || r == -ECANCELED)
      return -EINTR;
  }
}

int sem_wait(sem_t *sem)
{
  UB_ENTER(s);
  UB_OBSERVED(real.sem_wait(sem));
  if (s == NULL)
    return real.sem_wait(sem);
  return (int)ub_ret(wait_green((struct ub_sem *)sem, UB_NEVER));
}

int sem_clockwait(sem_t *sem, clockid_t clock, const struct timespec *abstime)
{
  UB_ENTER(g);
  UB_OBSERVED(real.sem_clockwait(sem, clock, abstime));
  if (g == NULL)
    return real.sem_clockwait(sem, clock, abstime);
  struct ub_sem *s = (struct ub_sem *)sem;
  if (abstime->tv_nsec < 0 || abstime->tv_nsec >= (long)UB_NSEC_PER_SEC)
    return (int)ub_ret(-EINVAL); /* checked first, as glibc does */
  if (try_take(s))
    return 0;
  uint64_t deadline;
  int err = clock == CLOCK_REALTIME || clock == CLOCK_MONOTONIC
                ? ub_deadline_abs(clock, abstime, &deadline)
                : -EINVAL;
  if (err == 0)
    err = wait_green(s, deadline == 0 ? 1 : deadline);
  return (int)ub_ret(err);
}

int sem_timedwait(sem_t *sem, const struct timespec *abstime)
{
  UB_ENTER(s);
  UB_OBSERVED(real.sem_timedwait(sem, abstime));
  if (s == NULL)
    return real.sem_timedwait(sem, abstime);
  return sem_clockwait(sem, CLOCK_REALTIME, abstime);
}
