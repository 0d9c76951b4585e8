/*
 * sched.h - the scheduler of one carrier: run queue, spawn, yield, park,
 * exit and join, over that carrier's loop.
 *
 * A carrier is an OS thread that called ub_sched_init; its scheduler is
 * found through a thread-local pointer, never a process global, so several
 * carriers can run side by side.  The carrier's own context (`main`) runs
 * ub_sched_run: it ticks the loop whenever no green thread is runnable.
 *
 * Green threads switch straight to one another while the run queue has
 * work; every UB_SCHED_BUDGET direct switches the carrier context gets a
 * turn, so fd events and timers are seen even if green threads only ever
 * yield to each other.
 *
 * Waking: a parked green thread is resumed by resolving its wait
 * (ub_loop_post, or the loop's own fd and timer events).  That works from
 * any thread, so locks and joins can later span carriers.
 */
#ifndef UB_SCHED_H
#define UB_SCHED_H

#include "coro.h"
#include "loop.h"
#include "stack.h"

#define UB_SCHED_BUDGET 64

struct ub_sched_config {
  enum ub_backend_kind backend;
  size_t stack_size; /* default green-thread stack; 0: UB_STACK_DEFAULT */
};

struct ub_sched {
  struct ub_loop loop;
  struct ub_coro main; /* the carrier's own context */
  struct ub_coro *current;
  struct ub_coro *leaving; /* last switched from: it may overflow mid-switch */
  struct ub_coro *rq_head, *rq_tail;
  size_t live;     /* green threads spawned and not yet exited */
  unsigned budget; /* direct switches left before main gets a turn */
  /* What an exiting green thread leaves for the next context to free. */
  struct ub_stack dead_stack;
  struct ub_coro *dead_coro;
  void *scratch_sp;
  struct ub_stack_pool pool;
  uint64_t next_id;
  void *altstack;
};

/* Make the calling thread a carrier.  0, -EBUSY if it already is one, or
 * -errno. */
int ub_sched_init(struct ub_sched *s, const struct ub_sched_config *cfg);
void ub_sched_fini(struct ub_sched *s);
/* Run green threads until none is left.  0 or -errno from the loop. */
int ub_sched_run(struct ub_sched *s);

/* The calling thread's scheduler, or NULL if it is not a carrier. */
struct ub_sched *ub_sched_self(void);

/*
 * Start fn(arg) as a green thread on s, with a stack of stack_size bytes
 * (0: the default).  With out NULL the thread starts detached.  0 or -errno.
 * Only s's own carrier thread may call it.
 */
int ub_sched_spawn(struct ub_sched *s, struct ub_coro **out,
                   void *(*fn)(void *), void *arg, size_t stack_size);
void ub_sched_yield(void);
/* End the calling green thread; ret goes to its joiner. */
_Noreturn void ub_sched_exit(void *ret);
/*
 * Wait for c to end, take its return value and free it.  0, -EDEADLK
 * (c is the caller), -EINVAL (detached, or joined by another), or -EPERM
 * when the caller is not a green thread.
 */
int ub_sched_join(struct ub_coro *c, void **ret);
int ub_sched_detach(struct ub_coro *c);

/* Prepare w so that resolving it resumes the calling green thread. */
void ub_sched_wait_init(struct ub_wait *w);
/* Switch out until w (armed on this carrier's loop) is resolved. */
int ub_sched_park(struct ub_wait *w);
/* Park on fd for dir until deadline: > 0 events, or -errno (loop.h). */
int ub_sched_wait_fd(int fd, unsigned dir, uint64_t deadline);
/* After a successful retry that followed a wake-up: ub_loop_pass. */
int ub_sched_pass(int fd, unsigned dir);
/* Park until the monotonic deadline.  0 or -errno. */
int ub_sched_sleep(uint64_t deadline);

#endif
