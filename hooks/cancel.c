/*
 * cancel.c - pthread_cancel for green threads, deferred (the default
 * type), acted on at the cancellation points programs block in: every
 * hooked call that parks (reads, writes, accept, connect, sleeps, poll,
 * condition waits, join, sem_wait) and pthread_testcancel.
 *
 * pthread_cancel marks the target and, if it is parked in an interruptible
 * wait, cuts that wait short; the target's hook then sees the mark and
 * exits with PTHREAD_CANCELED.  Key destructors run; cleanup handlers
 * pushed with pthread_cleanup_push do not (see docs/limits.md).
 */
#include <errno.h>

#include "hook.h"
#include "thread.h"

void ub_cancel_point(void)
{
  struct ub_thread *t = ub_thread_self();
  if (t != NULL && t->canceled && !t->cancel_disabled && !t->exiting)
    ub_thread_exit(PTHREAD_CANCELED);
}

int pthread_cancel(pthread_t thread)
{
  ub_real_ensure();
  struct ub_coro *c = ub_thread_coro(thread);
  if (c == NULL)
    return real.pthread_cancel(thread);
  struct ub_thread *t = c->ext;
  if (t == NULL)
    return 0; /* already exiting */
  t->canceled = true;
  if (t->cancel_disabled)
    return 0;
  if (c == ub_sched_current()) {
    if (t->cancel_async)
      ub_thread_exit(PTHREAD_CANCELED);
    return 0;
  }
  /* One carrier: the target is parked or runnable, not running. */
  if (c->intr_wait != NULL)
    ub_loop_post(c->intr_wait, -ECANCELED);
  return 0;
}

void pthread_testcancel(void)
{
  if (ub_thread_self() == NULL) {
    ub_real_ensure();
    real.pthread_testcancel();
    return;
  }
  ub_cancel_point();
}

int pthread_setcancelstate(int state, int *old)
{
  struct ub_thread *t = ub_thread_self();
  if (t == NULL) {
    ub_real_ensure();
    return real.pthread_setcancelstate(state, old);
  }
  if (state != PTHREAD_CANCEL_ENABLE && state != PTHREAD_CANCEL_DISABLE)
    return EINVAL;
  if (old != NULL)
    *old = t->cancel_disabled ? PTHREAD_CANCEL_DISABLE : PTHREAD_CANCEL_ENABLE;
  t->cancel_disabled = state == PTHREAD_CANCEL_DISABLE;
  return 0;
}

int pthread_setcanceltype(int type, int *old)
{
  struct ub_thread *t = ub_thread_self();
  if (t == NULL) {
    ub_real_ensure();
    return real.pthread_setcanceltype(type, old);
  }
  if (type != PTHREAD_CANCEL_DEFERRED && type != PTHREAD_CANCEL_ASYNCHRONOUS)
    return EINVAL;
  if (old != NULL)
    *old =
        t->cancel_async ? PTHREAD_CANCEL_ASYNCHRONOUS : PTHREAD_CANCEL_DEFERRED;
  t->cancel_async = type == PTHREAD_CANCEL_ASYNCHRONOUS;
  return 0;
}
