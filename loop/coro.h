/*
 * coro.h - a green thread: its saved context, its stack, and what the
 * scheduler (sched.c) keeps about it.
 *
 * `sp` must stay the first member: the switch stores and loads it.  A green
 * thread's whole register state is on its own stack while it is switched
 * out (switch-x86_64.S); `sp` is the only pointer to it.
 */
#ifndef UB_CORO_H
#define UB_CORO_H

#include "fiber.h"
#include "stack.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * errno, found afresh at each use.  glibc declares __errno_location
 * `const`, so the compiler may compute &errno once per function and keep
 * it across a call.  A green thread that parks in that call can resume on
 * another OS thread (a handoff, loop/handoff.c), whose errno lives
 * elsewhere.  Every file of the runtime that includes this header sees
 * errno through a call the compiler cannot fold.
 */
static inline int *ub_errno_location(void)
{
  int *(*volatile where)(void) = __errno_location;
  return where();
}
#undef errno
#define errno (*ub_errno_location())

/* h_errno, glibc's other per-thread error variable (name lookups), the
 * same way. */
extern int *__h_errno_location(void);
static inline int *ub_h_errno_location(void)
{
  int *(*volatile where)(void) = __h_errno_location;
  return where();
}

struct ub_sched;

enum ub_coro_state {
  UB_CORO_RUNNABLE,
  UB_CORO_RUNNING,
  UB_CORO_WAITING,
  UB_CORO_DEAD,
};

struct ub_coro {
  void *sp;
  struct ub_stack stack;
  struct ub_sched *home;
  struct ub_coro *rq_next;
  void *(*fn)(void *);
  void *arg;
  void *ret;
  /* 0, UB_JOIN_DETACHED, UB_JOIN_DEAD, or the joiner's struct ub_wait *. */
  _Atomic uintptr_t join;
  /* While parked in a wait that a signal or a cancel may cut short: that
   * wait.  Only this carrier's thread reads or posts it (sched.h). */
  struct ub_wait *intr_wait;
  void *ext; /* the hooks' per-thread state (hooks/thread.c) */
  struct ub_coro *all_next, *all_prev; /* every live thread of the carrier */
  /* The thread's signal mask (bit sig-1), which the carrier's real mask
   * follows on each switch, and signals waiting to be delivered to it. */
  uint64_t sigmask;
  _Atomic uint64_t sigpending;
  uint64_t id;
  uint64_t born; /* monotonic ns */
  /* Time parked since the hooks last reset it, while
   * ub_sched_clock_parks is set (the profile). */
  uint64_t parked_ns;
  /* For the dump (ub_sched_peek): the hook the thread last entered from
   * the program (its __func__); the wait it last parked on (current
   * while it is UB_CORO_WAITING); and whether it has run yet.  A thread
   * that has run and is not running now was switched out by the
   * scheduler, so switching to it resumes it inside the scheduler. */
  const char *hook;
  struct ub_wait *parked_on;
  bool ran;
  enum ub_coro_state state;
  int saved_errno; /* errno is per OS thread; each green thread keeps its own */
  int saved_h_errno; /* and h_errno */
  unsigned depth;    /* how deep in the runtime's code it is (sched.h: lease) */
  char name[16];
};

#define UB_JOIN_DETACHED ((uintptr_t)1)
#define UB_JOIN_DEAD ((uintptr_t)2)

/* Lay out c's stack so that the first switch to it calls entry(arg). */
void ub_coro_prepare(struct ub_coro *c, void (*entry)(void *), void *arg);
/* Leave a context for good: nothing of it is saved or touched again. */
_Noreturn void ub_coro_leave(void **scratch_sp, struct ub_coro *to);
/* Call first thing on a new green thread's stack. */
void ub_coro_landed(void);

/* From switch-x86_64.S. */
void ub_ctx_switch(void **save_sp, void *load_sp);
void ub_ctx_boot(void);

/*
 * Save the running context into from, and resume to.  Inline: it is the
 * hot path of every yield and park.  errno is saved and restored around
 * the switch (coro.c explains why), found afresh on each side: after a
 * handoff the switch may return on another OS thread.
 */
static inline void ub_coro_switch(struct ub_coro *from, struct ub_coro *to)
{
  void *fake = NULL;
  from->saved_errno = errno;
  from->saved_h_errno = *ub_h_errno_location();
  ub_fiber_start(&fake, to->stack.lo, to->stack.size);
  ub_ctx_switch(&from->sp, to->sp);
  ub_fiber_finish(fake);
  errno = from->saved_errno;
  *ub_h_errno_location() = from->saved_h_errno;
}

#endif
