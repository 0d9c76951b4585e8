/*
 * waitq.c - waiter queues and the two ways to sleep on them (waitq.h).
 */
#include "waitq.h"

#include <errno.h>
#include <linux/futex.h>
#include <time.h>

#include "hook.h"
#include "sys.h"

void ub_spin_lock(atomic_int *l)
{
  for (;;) {
    if (atomic_exchange_explicit(l, 1, memory_order_acquire) == 0)
      return;
    while (atomic_load_explicit(l, memory_order_relaxed) != 0)
      __builtin_ia32_pause();
  }
}

void ub_spin_unlock(atomic_int *l)
{
  atomic_store_explicit(l, 0, memory_order_release);
}

uintptr_t ub_self_token(void)
{
  struct ub_coro *c = ub_sched_current();
  if (c != NULL)
    return (uintptr_t)c;
  ub_real_ensure();
  return (uintptr_t)real.pthread_self();
}

unsigned ub_waitq_epoch;

void ub_waitq_after_fork(void)
{
  ub_waitq_epoch++;
}

void ub_waiter_init(struct ub_waiter *w)
{
  *w = (struct ub_waiter){.green = ub_hook_green(), .epoch = ub_waitq_epoch};
  if (w->green)
    ub_sched_wait_init(&w->w);
  w->owner = ub_self_token();
}

void ub_waitq_push(struct ub_waitq *q, struct ub_waiter *w)
{
  w->next = NULL;
  w->prev = q->tail;
  if (q->tail != NULL)
    q->tail->next = w;
  else
    q->head = w;
  q->tail = w;
  w->queued = true;
}

void ub_waitq_push_front(struct ub_waitq *q, struct ub_waiter *w)
{
  w->prev = NULL;
  w->next = q->head;
  if (q->head != NULL)
    q->head->prev = w;
  else
    q->tail = w;
  q->head = w;
  w->queued = true;
}

void ub_waitq_remove(struct ub_waitq *q, struct ub_waiter *w)
{
  if (w->prev != NULL)
    w->prev->next = w->next;
  else
    q->head = w->next;
  if (w->next != NULL)
    w->next->prev = w->prev;
  else
    q->tail = w->prev;
  w->next = w->prev = NULL;
  w->queued = false;
}

struct ub_waiter *ub_waitq_pop(struct ub_waitq *q)
{
  struct ub_waiter *w;
  while ((w = q->head) != NULL) {
    ub_waitq_remove(q, w);
    if (ub_waiter_alive(w))
      return w;
  } /* (a waiter from before a fork: its thread is gone; drop it) */
  return NULL;
}

void ub_waiter_wake(struct ub_waiter *w, int result, uint64_t *ring)
{
  w->result = result;
  if (w->green) {
    ub_loop_post_defer(&w->w, 0, ring);
    return;
  }
  atomic_store_explicit(&w->futex, 1, memory_order_release);
  syscall(SYS_futex, &w->futex, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/* A native thread sleeps on its waiter's futex word. */
static int sleep_native(struct ub_waiter *w, uint64_t deadline)
{
  while (atomic_load_explicit(&w->futex, memory_order_acquire) == 0) {
    struct timespec ts, *tp = NULL;
    if (deadline != UB_NEVER) {
      uint64_t now = ub_clock_now();
      if (now >= deadline)
        return -ETIMEDOUT;
      uint64_t left = deadline - now;
      ts = (struct timespec){(time_t)(left / UB_NSEC_PER_SEC),
                             (long)(left % UB_NSEC_PER_SEC)};
      tp = &ts;
    }
    syscall(SYS_futex, &w->futex, FUTEX_WAIT_PRIVATE, 0, tp, NULL, 0);
  }
  return 0;
}

int ub_waiter_wait(struct ub_waitq *q, struct ub_waiter *w, atomic_int *lock,
                   uint64_t deadline, bool intr)
{
  int r;
  if (w->green) {
    struct ub_sched *s = ub_sched_tls;
    ub_loop_arm(&s->loop, &w->w, -1, 0, deadline);
    ub_spin_unlock(lock);
    r = intr ? ub_sched_park_intr(&w->w) : ub_sched_park(&w->w);
  } else {
    ub_spin_unlock(lock);
    r = sleep_native(w, deadline);
  }
  if (r == 0)
    return w->result;
  ub_spin_lock(lock);
  if (w->queued)
    ub_waitq_remove(q, w);
  else
    r = w->result; /* popped before we got back: the wake counts */
  ub_spin_unlock(lock);
  return r;
}

int ub_pause(uint64_t deadline)
{
  uint64_t now = ub_clock_now();
  if (now >= deadline)
    return -ETIMEDOUT;
  uint64_t until = deadline - now < 1000000 ? deadline : now + 1000000;
  if (ub_hook_green())
    return ub_sched_sleep(until);
  struct timespec ts = {0, (long)(until - now)};
  real.nanosleep(&ts, NULL);
  return 0;
}
