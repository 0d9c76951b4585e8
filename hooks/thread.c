/*
 * thread.c - pthreads become green threads.
 *
 * pthread_create spawns a green thread on the least loaded carrier; join,
 * detach, exit, self, equal, yield and the thread attributes map onto the
 * scheduler (loop/sched.h).  A caller that is not a green thread (before
 * our constructor, or a thread the shim did not create) gets the real
 * pthread functions, and a native handle always goes to them.
 *
 * Attributes: the detach state is honoured, and so is an explicit stack
 * size (rounded up to 16 KiB at least) or a stack the program provides.
 * glibc cannot tell "stack size never set" from "set to the default"
 * through its public API, so the size is read from its pthread_attr
 * (stable in glibc's ABI since 2.x: see attr_stack).
 *
 * Errors: resource exhaustion in pthread_create is EAGAIN, as natively.
 */
#include "thread.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "carriers.h"
#include "deadline.h"
#include "hook.h"
#include "sys.h"

/* glibc's struct pthread_attr (sysdeps/nptl/internaltypes.h). */
struct glibc_attr {
  struct sched_param schedparam;
  int schedpolicy;
  int flags;
  size_t guardsize;
  void *stackaddr;
  size_t stacksize;
};
#define GLIBC_ATTR_FLAG_STACKADDR 0x0008

_Static_assert(sizeof(struct glibc_attr) <= sizeof(pthread_attr_t),
               "glibc's pthread_attr layout");

/* The stack the attributes ask for: *lo non-NULL if the program gave one;
 * *size 0 for the default. */
static void attr_stack(const pthread_attr_t *attr, void **lo, size_t *size)
{
  const struct glibc_attr *a = (const void *)attr;
  *lo = NULL;
  *size = a->stacksize;
  if (a->flags & GLIBC_ATTR_FLAG_STACKADDR)
    *lo = (char *)a->stackaddr - a->stacksize; /* stackaddr is the top */
}

static void *thread_main(void *arg)
{
  struct ub_thread *t = arg;
  struct ub_sched *s = ub_sched_tls;
  t->coro = s->current;
  /* It starts inside the runtime, and goes into the program's code. */
  t->coro->depth = 1;
  ub_sched_leave(s, (const void *)t->fn);
  void *ret = t->fn(t->arg);
  UB_ENTER(back); /* the way out is the runtime's again */
  (void)back;
  ub_thread_exit(ret);
}

_Noreturn void ub_thread_finish(void *ret)
{
  struct ub_thread *t = ub_thread_self();
  if (t != NULL) {
    t->exiting = true;
    ub_key_exit(t);
    t->coro->ext = NULL;
    free(t);
  }
  ub_sched_exit(ret);
}

int ub_thread_adopt(struct ub_coro *c)
{
  struct ub_thread *t = calloc(1, sizeof(*t));
  if (t == NULL)
    return -ENOMEM;
  t->coro = c;
  c->ext = t;
  ub_key_adopt(t);
  return 0;
}

int pthread_create(pthread_t *thread, const pthread_attr_t *attr,
                   void *(*fn)(void *), void *arg)
{
  UB_ENTER(s);
  if (s == NULL)
    return real.pthread_create(thread, attr, fn, arg);
  void *lo = NULL;
  size_t size = 0;
  int detach = PTHREAD_CREATE_JOINABLE;
  if (attr != NULL) {
    attr_stack(attr, &lo, &size);
    pthread_attr_getdetachstate(attr, &detach);
  }
  struct ub_thread *t = calloc(1, sizeof(*t));
  if (t == NULL)
    return EAGAIN;
  t->fn = fn;
  t->arg = arg;
  ub_carriers_start();
  struct ub_sched *to = ub_sched_pick(s);
  /* *thread is set before the thread can run, as glibc does: pthread_t
   * is a ub_coro pointer (thread.h). */
  struct ub_coro **out = (struct ub_coro **)thread;
  bool detached = detach == PTHREAD_CREATE_DETACHED;
  int err =
      lo != NULL
          ? ub_sched_spawn_on(to, out, thread_main, t, lo, size, t, detached)
          : ub_sched_spawn(to, out, thread_main, t, size, t, detached);
  if (err != 0) {
    free(t);
    return err == -EINVAL ? EINVAL : EAGAIN;
  }
  return 0;
}

/* A native thread cannot park: it polls the join word instead.  Rare
 * (a thread the shim did not create joining a green thread). */
static int join_native(struct ub_coro *c, void **ret, uint64_t deadline)
{
  for (;;) {
    uintptr_t j = atomic_load(&c->join);
    if (j == UB_JOIN_DEAD)
      break;
    if (j != 0)
      return EINVAL;
    if (deadline != UB_NEVER && ub_clock_now() >= deadline)
      return deadline == 0 ? EBUSY : ETIMEDOUT;
    struct timespec ms = {0, 1000000};
    real.nanosleep(&ms, NULL);
  }
  if (ret != NULL)
    *ret = c->ret;
  free(c);
  return 0;
}

static int join(pthread_t thread, void **ret, uint64_t deadline)
{
  struct ub_coro *c = ub_thread_coro(thread);
  UB_ENTER(s);
  if (s == NULL)
    return join_native(c, ret, deadline);
  if (deadline == 0 && c == ub_sched_current())
    return EBUSY; /* tryjoin: "still running" comes first */
  int err;
  /* A join is a cancellation point, and a signal handler does not end it:
   * after one, it waits on. */
  while ((err = -ub_sched_join(c, ret, deadline)) == EINTR || err == ECANCELED)
    ub_cancel_point();
  if (err == 0 || err == EBUSY || err == ETIMEDOUT)
    return err;
  ub_cancel_point();
  return err;
}

int pthread_join(pthread_t thread, void **ret)
{
  UB_CALL(-1);
  ub_real_ensure();
  if (ub_thread_coro(thread) == NULL)
    return real.pthread_join(thread, ret);
  ub_cancel_point();
  return join(thread, ret, UB_NEVER);
}

int pthread_tryjoin_np(pthread_t thread, void **ret)
{
  ub_real_ensure();
  if (ub_thread_coro(thread) == NULL)
    return real.pthread_tryjoin_np(thread, ret);
  return join(thread, ret, 0);
}

int pthread_clockjoin_np(pthread_t thread, void **ret, clockid_t clock,
                         const struct timespec *abstime)
{
  UB_CALL(-1);
  ub_real_ensure();
  if (ub_thread_coro(thread) == NULL)
    return real.pthread_clockjoin_np(thread, ret, clock, abstime);
  if (abstime == NULL)
    return join(thread, ret, UB_NEVER);
  uint64_t d;
  if ((clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC) ||
      ub_deadline_abs(clock, abstime, &d) != 0)
    return EINVAL;
  ub_cancel_point();
  return join(thread, ret, d == 0 ? 1 : d);
}

int pthread_timedjoin_np(pthread_t thread, void **ret,
                         const struct timespec *abstime)
{
  UB_CALL(-1);
  ub_real_ensure();
  if (ub_thread_coro(thread) == NULL)
    return real.pthread_timedjoin_np(thread, ret, abstime);
  return pthread_clockjoin_np(thread, ret, CLOCK_REALTIME, abstime);
}

int pthread_detach(pthread_t thread)
{
  ub_real_ensure();
  struct ub_coro *c = ub_thread_coro(thread);
  if (c == NULL)
    return real.pthread_detach(thread);
  return -ub_sched_detach(c);
}

void pthread_exit(void *ret)
{
  UB_ENTER(s);
  if (s == NULL || ub_thread_self() == NULL)
    real.pthread_exit(ret);
  ub_thread_exit(ret);
}

pthread_t pthread_self(void)
{
  struct ub_coro *c = ub_sched_current();
  if (c != NULL)
    return (pthread_t)c;
  ub_real_ensure();
  return real.pthread_self();
}

int pthread_equal(pthread_t a, pthread_t b)
{
  return a == b;
}

int sched_yield(void)
{
  UB_ENTER(s);
  if (s == NULL)
    return real.sched_yield();
  ub_sched_yield();
  return 0;
}

/* glibc's <pthread.h> renames pthread_yield to sched_yield at the
 * assembler level; the deprecated symbol still exists for old binaries. */
__attribute__((visibility("default"))) int
ub_pthread_yield(void) __asm__("pthread_yield");
int ub_pthread_yield(void)
{
  UB_CALL(-1);
  return sched_yield();
}

/*
 * pthread_once keeps glibc's encoding (0: not run, 1: running, 2: done),
 * so a once completed before our constructor stays completed.  A green
 * thread that finds it running sleeps 1 ms at a time: the initializer may
 * itself park, and a once is contended only at start-up.
 */
int pthread_once(pthread_once_t *once, void (*fn)(void))
{
  UB_OBSERVED(real.pthread_once(once, fn)); /* (waits not timed: rare) */
  atomic_int *w = (atomic_int *)once;
  for (;;) {
    int v = atomic_load_explicit(w, memory_order_acquire);
    if (v == 2)
      return 0;
    if (v == 0) {
      if (!atomic_compare_exchange_strong(w, &v, 1))
        continue;
      fn();
      atomic_store_explicit(w, 2, memory_order_release);
      syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
      return 0;
    }
    UB_ENTER(s);
    if (s != NULL)
      ub_sched_sleep(ub_clock_after(ub_clock_now(), 1000000));
    else
      syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, v, NULL, NULL, 0);
  }
}

int pthread_getattr_np(pthread_t thread, pthread_attr_t *attr)
{
  ub_real_ensure();
  struct ub_coro *c = ub_thread_coro(thread);
  if (c == NULL)
    return real.pthread_getattr_np(thread, attr);
  int err = pthread_attr_init(attr);
  if (err == 0)
    err = pthread_attr_setstack(attr, c->stack.lo, c->stack.size);
  if (err == 0)
    err = pthread_attr_setguardsize(attr, c->stack.guard);
  uintptr_t j = atomic_load(&c->join);
  if (err == 0 && j == UB_JOIN_DETACHED)
    err = pthread_attr_setdetachstate(attr, PTHREAD_CREATE_DETACHED);
  return err;
}

int pthread_setname_np(pthread_t thread, const char *name)
{
  ub_real_ensure();
  struct ub_coro *c = ub_thread_coro(thread);
  if (c == NULL)
    return real.pthread_setname_np(thread, name);
  size_t n = strlen(name);
  if (n >= sizeof(c->name))
    return ERANGE;
  memcpy(c->name, name, n + 1);
  return 0;
}

int pthread_getname_np(pthread_t thread, char *name, size_t len)
{
  ub_real_ensure();
  struct ub_coro *c = ub_thread_coro(thread);
  if (c == NULL)
    return real.pthread_getname_np(thread, name, len);
  size_t n = strnlen(c->name, sizeof(c->name));
  if (n == 0) {
    /* Natively an unnamed thread reports the process's name. */
    return real.pthread_getname_np(real.pthread_self(), name, len);
  }
  if (len <= n)
    return ERANGE;
  memcpy(name, c->name, n + 1);
  return 0;
}
