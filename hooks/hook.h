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

#include "profile.h"
#include "real.h"
#include "sched.h"

/* Depth of signal handlers running on this OS thread (hooks/signal.c). */
extern __thread int ub_sig_depth __attribute__((tls_model("initial-exec")));

/*
 * One call into a hook, from its UB_ENTER to its return: the carrier of
 * the calling green thread (NULL: pass through), and what the profile
 * needs about the call (hooks/prof.c).
 */
struct ub_hook_call {
  struct ub_sched *sched;
  const char *fn; /* the hook's __func__ */
  int fd;         /* its fd, when the profile is on; else -1 */
  uint64_t t0;    /* observe mode: when a call that can wait began */
  long csw;       /* observe mode: the thread's voluntary switches then */
};

void ub_prof_green(struct ub_hook_call *call, const void *site);
void ub_observe_begin(struct ub_hook_call *call);
void ub_observe_end(struct ub_hook_call *call, const void *site);
/* The program accepts on fd (the profile is on): connections on its port
 * are described from the server's side. */
void ub_prof_listener(int fd);
/* What fd is, for people: "TCP 10.0.0.1:80 <- 10.0.0.2", "pipe", "file"... */
void ub_prof_describe(int fd, char *buf, size_t len);

/*
 * The carrier of the calling green thread, or NULL: pass through.  Hooks
 * call it through UB_ENTER, which pairs it with ub_hook_leave when the
 * variable goes out of scope, at every return: between the two the green
 * thread is in the runtime's code, and holds its carrier's lease (sched.h).
 * Every hook that can wait starts with UB_ENTER itself, not only a helper
 * it calls, so that fn and the return address name the program's call.
 */
__attribute__((always_inline)) static inline struct ub_hook_call
ub_hook_enter(const char *fn, int fd)
{
  ub_real_ensure();
  struct ub_hook_call call = {NULL, fn, fd, 0, 0};
  if (__builtin_expect(ub_observing, 0)) {
    ub_observe_begin(&call);
    return call;
  }
  struct ub_sched *s = ub_sched_tls;
  if (s == NULL || ub_sig_depth != 0 || !ub_sched_enter(s))
    return call;
  call.sched = s;
  struct ub_coro *c = s->current;
  if (c->depth == 1) {
    c->hook = fn; /* for the dump */
    if (__builtin_expect(ub_prof_on, 0))
      c->parked_ns = 0; /* this call's waits start here */
  }
  return call;
}

__attribute__((always_inline)) static inline void
ub_hook_leave(struct ub_hook_call *call)
{
  if (call->sched != NULL) {
    if (__builtin_expect(call->sched->current->parked_ns != 0, 0))
      ub_prof_green(call, __builtin_return_address(0));
    ub_sched_leave(call->sched, __builtin_return_address(0));
  } else if (__builtin_expect(ub_observing, 0)) {
    ub_observe_end(call, __builtin_return_address(0));
  }
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

/* Enter a hook: UB_CALL when the hook needs no carrier of its own (it
 * calls another that does), UB_ENTER to get it.  The fd a call acts on is
 * evaluated only when a profile is being recorded. */
#define UB_CALL(fd)                                                            \
  struct ub_hook_call ub_call_ __attribute__((cleanup(ub_hook_leave))) =       \
      ub_hook_enter(__func__, ub_prof_on ? (fd) : -1)
#define UB_ENTER_FD(s, fd)                                                     \
  UB_CALL(fd);                                                                 \
  struct ub_sched *s = ub_call_.sched
#define UB_ENTER(s) UB_ENTER_FD(s, -1)

/* In observe mode, the hook is libc's own function (timed by UB_CALL). */
#define UB_OBSERVED(call)                                                      \
  do {                                                                         \
    if (__builtin_expect(ub_observing, 0))                                     \
      return call;                                                             \
  } while (0)

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
