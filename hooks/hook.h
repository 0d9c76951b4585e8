/*
 * hook.h - what every hook file shares: the entry test and the one place
 * an internal -errno becomes -1 plus errno.
 *
 * A hook acts only for a green thread that runs on a carrier, outside any
 * signal handler.  Everything else passes straight through to real.*:
 * calls made before our constructor ran, on threads the shim did not
 * create, in the carrier's own context, and inside signal handlers (where
 * parking would switch stacks under the interrupted code).  Pass-through
 * leaves errno exactly as the real call sets it.
 */
#ifndef UB_HOOK_H
#define UB_HOOK_H

#include <errno.h>
#include <stdbool.h>

#include "real.h"
#include "sched.h"

/* Depth of signal handlers running on this OS thread (hooks/signal.c). */
extern __thread int ub_sig_depth __attribute__((tls_model("initial-exec")));

/*
 * The carrier of the calling green thread, or NULL: pass through.  Hooks
 * call it through UB_ENTER, which pairs it with ub_hook_leave when the
 * variable goes out of scope, at every return: between the two the green
 * thread is in the runtime's code, and holds its carrier's lease (sched.h).
 */
static inline struct ub_sched *ub_hook_enter(void)
{
  ub_real_ensure();
  struct ub_sched *s = ub_sched_tls;
  if (s == NULL || ub_sig_depth != 0 || !ub_sched_enter(s))
    return NULL;
  return s;
}

static inline void ub_hook_leave(struct ub_sched **s)
{
  if (*s != NULL)
    ub_sched_leave(*s, __builtin_return_address(0));
}

/* Is the caller a green thread already inside the runtime (its lease
 * held, by a UB_ENTER further up)?  For helpers called from hooks. */
static inline bool ub_hook_green(void)
{
  struct ub_sched *s = ub_sched_tls;
  return s != NULL && ub_sig_depth == 0 &&
         atomic_load_explicit(&s->lease, memory_order_relaxed) ==
             ub_sched_token() &&
         s->current != &s->main;
}

#define UB_ENTER(s)                                                            \
  struct ub_sched *s __attribute__((cleanup(ub_hook_leave))) = ub_hook_enter()

/* A result for the caller: r itself, or -1 with errno = -r. */
static inline long ub_ret(long r)
{
  if (r < 0) {
    errno = (int)-r;
    return -1;
  }
  return r;
}

#endif
