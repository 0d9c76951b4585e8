/*
 * handoff.h - taking a carrier away from an OS thread stuck in the
 * program's code, and giving it back (Go's sysmon hands a P to a new M in
 * the same way).
 *
 * A carrier (struct ub_sched) is normally driven by one OS thread.  When
 * the green thread it runs blocks where no hook sees it (a raw syscall,
 * I/O inside glibc) or computes for long, every other green thread of the
 * carrier waits, and so do its loop's timers and fds.  The monitor
 * (shim/monitor.c) then steals the carrier: its lease (sched.h) passes to
 * a spare thread, which runs the carrier's scheduler from then on, while
 * the stuck thread goes on with its one green thread, detached.
 *
 * When that green thread next enters the runtime (any hook), its thread
 * finds the lease gone and asks for the carrier back (ub_sched_reclaim).
 * The driving thread hands it back at its next scheduling point, with the
 * stuck thread's own scheduler context, and goes back to being a spare.
 * Green threads that ran on the spare meanwhile moved OS threads: their
 * errno travels with them (coro.h), but __thread data does not
 * (docs/limits.md).
 */
#ifndef UB_HANDOFF_H
#define UB_HANDOFF_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "sched.h"

/* A thread that can drive a carrier taken from another. */
struct ub_spare {
  struct ub_spare *next;
  atomic_int wake; /* futex: 1 once `give` is set */
  struct ub_sched *give;
  uintptr_t token; /* ub_sched_token() of its thread */
  pid_t tid;
};

/*
 * The body of a spare thread (me is its own, zeroed): wait to be handed
 * carriers and drive them, until idle for idle_ns (0: never).  Returns
 * when it retires; if a carrier it drives runs out of green threads for
 * good, it calls that carrier's on_empty instead.
 */
void ub_handoff_serve(struct ub_spare *me, uint64_t idle_ns);

/* An idle spare, taken off the idle list, or NULL.  And how many threads
 * serve as spares now (idle or driving). */
struct ub_spare *ub_handoff_spare(void);
unsigned ub_handoff_spares(void);

/*
 * The monitor: s's lease was `seen` (UB_LEASE_USER set) and has not
 * changed while s made no step for the stall time.  Take s from its
 * thread and hand it to spare.  False if the thread entered the runtime in
 * the meantime (then nothing changed, and spare is still idle: put it back
 * with ub_handoff_unused).
 */
bool ub_handoff_steal(struct ub_sched *s, uintptr_t seen, struct ub_spare *sp);
void ub_handoff_unused(struct ub_spare *sp);

/* In ub_sched_run, at a scheduling point, when s->want_back is set: give
 * s back to a thread that wants it.  Whether this thread gave it away. */
bool ub_handoff_give_back(struct ub_sched *s);

/* In a child after fork: nobody else is left to give s back to. */
void ub_handoff_after_fork(struct ub_sched *s);

#endif
