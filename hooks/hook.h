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

#include "real.h"
#include "sched.h"

/* Depth of signal handlers running on this OS thread (hooks/signal.c). */
extern __thread int ub_sig_depth __attribute__((tls_model("initial-exec")));

/* The carrier of the calling green thread, or NULL: pass through. */
static inline struct ub_sched *ub_hook_enter(void)
{
  ub_real_ensure();
  struct ub_sched *s = ub_sched_tls;
  if (s == NULL || s->current == &s->main || ub_sig_depth != 0)
    return NULL;
  return s;
}

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
