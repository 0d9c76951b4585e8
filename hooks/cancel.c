/*
 * cancel.c - pthread_cancel for green threads, deferred (the default
 * type), acted on at the cancellation points programs block in: every
 * hooked call that parks (reads, writes, accept, connect, sleeps, poll,
 * condition waits, join, sem_wait) and pthread_testcancel.
 *
 * pthread_cancel marks the target and, if it is parked in an interruptible
 * wait, cuts that wait short; the target's hook then sees the mark and
 * exits with PTHREAD_CANCELED.
 *
 * Cleanup handlers: pthread_cleanup_push (the C macro) sets a jump buffer
 * and registers it with __pthread_register_cancel, which glibc keeps per
 * OS thread, so green threads get their own chain here.  Exiting (by
 * pthread_exit or a cancel) jumps into the innermost buffer; the macro's
 * code runs the handler and calls __pthread_unwind_next, which jumps into
 * the next one, until none is left and the thread ends.  C++ frames are
 * not unwound (docs/limits.md).
 */
#include <errno.h>
#include <setjmp.h>

#include "hook.h"
#include "thread.h"

/* Run the next cleanup handler, if any is left; else end the thread. */
static _Noreturn void unwind(struct ub_thread *t)
{
  __pthread_unwind_buf_t *buf = t->cleanup;
  if (buf == NULL)
    ub_thread_finish(t->exit_value);
  t->cleanup = buf->__pad[0];
  /* The buffer is glibc's short cancel jump buffer: longjmp reads its
   * registers and its "mask saved" word (0), never the signal mask that
   * a full jmp_buf would hold next, which is what glibc relies on too. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-overflow"
  longjmp((struct __jmp_buf_tag *)(void *)buf->__cancel_jmp_buf, 1);
#pragma GCC diagnostic pop
}

_Noreturn void ub_thread_exit(void *ret)
{
  struct ub_thread *t = ub_thread_self();
  if (t == NULL || t->exiting)
    ub_thread_finish(ret);
  t->exiting = true;
  t->exit_value = ret;
  unwind(t);
}

void __pthread_register_cancel(__pthread_unwind_buf_t *buf)
{
  struct ub_thread *t = ub_thread_self();
  if (t == NULL) {
    ub_real_ensure();
    real.__pthread_register_cancel(buf);
    return;
  }
  buf->__pad[0] = t->cleanup;
  t->cleanup = buf;
}

void __pthread_unregister_cancel(__pthread_unwind_buf_t *buf)
{
  struct ub_thread *t = ub_thread_self();
  if (t == NULL) {
    ub_real_ensure();
    real.__pthread_unregister_cancel(buf);
    return;
  }
  t->cleanup = buf->__pad[0];
}

void __pthread_unwind_next(__pthread_unwind_buf_t *buf)
{
  struct ub_thread *t = ub_thread_self();
  if (t == NULL) {
    ub_real_ensure();
    real.__pthread_unwind_next(buf);
  }
  /* The handler of buf has run; t->cleanup already names the next. */
  unwind(t);
}

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
  if (c->home != ub_sched_tls) {
    /* It may be running on its own carrier right now: only that carrier
     * may end its wait (signal.c, on_signals). */
    ub_sched_poke(c->home);
    return 0;
  }
  /* On our carrier, it is parked or runnable, not running. */
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
