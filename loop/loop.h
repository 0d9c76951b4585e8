/*
 * loop.h - the hidden lifetime event loop: one per carrier thread.
 *
 * A wait (struct ub_wait) is how anything parks on the loop: on an fd
 * direction, on a deadline, or on both.  The waiter owns the struct (it
 * usually lives on a green thread's stack) and is resumed through its
 * `resume` callback exactly once, with `result` set to:
 *   > 0          the UB_IN/UB_OUT/UB_RDHUP/UB_HUP/UB_ERR events that woke it;
 *   -ETIMEDOUT   the deadline passed first (the timer always wins a race);
 *   -EBADF       the fd was forgotten (closed) while it waited;
 *   -errno       the backend refused the fd, or whatever ub_loop_post gave.
 *
 * Exactly once: a wait may sit on an fd list and in the timer heap at the
 * same time, and may be posted from another thread.  Every path that wants
 * to resume it first claims it (one atomic exchange).  On the loop's
 * thread the winner takes it off both queues and resumes it, and a loser
 * only unlinks it; a post from another thread only claims and queues it,
 * and the loop unlinks it when it takes it from the inbox.
 *
 * Lifetime: a wait usually lives on its green thread's stack, and is gone
 * once that thread resumes.  So another thread may post w only while w is
 * certainly still armed: it must hold the only reference to it, taken from
 * a structure (a mutex's waiter list, a join word) under the same lock or
 * atomic that the waiter uses to withdraw itself after a timeout.
 *
 * Thread rules: everything here runs on the loop's own thread except
 * ub_loop_post and ub_loop_wake, which any thread may call.
 */
#ifndef UB_LOOP_H
#define UB_LOOP_H

#include "arena.h"
#include "backend.h"
#include "clock.h"
#include "heap.h"

#include <stdatomic.h>
#include <stdbool.h>

struct ub_loop;

struct ub_wait {
  struct ub_wait *next, *prev; /* on the fd's reader or writer list */
  struct ub_wait *post_next;   /* on the loop's inbox */
  struct ub_heap_node timer;
  struct ub_loop *loop;
  struct ub_io *io; /* non-NULL while on an fd list */
  void (*resume)(struct ub_wait *w);
  void *owner;
  int fd;
  int result;
  unsigned dir;
  atomic_int claimed;
};

struct ub_loop {
  const struct ub_backend_ops *ops;
  struct ub_backend *bk;
  struct ub_arena arena;
  struct ub_heap timers;
  uint64_t now;        /* cached at each tick; see ub_loop_now */
  unsigned nfds;       /* fds the backend watches for us (not wake_fd) */
  const void *thread;  /* identifies the owning thread (loop.c) */
  int slot;            /* in share.h's table, or -1 */
  int wake_fd;         /* eventfd: the cross-thread doorbell */
  atomic_int notified; /* 1: awake, or the doorbell rang; 0: may sleep */
  atomic_int kicked;   /* ub_loop_wake since the last ub_loop_sleepy */
  _Atomic(struct ub_wait *) inbox; /* waits posted from any thread */
  /* The signal mask for a blocking wait (NULL: the thread's own); the
   * scheduler sets it to the signals every green thread blocks. */
  const uint64_t *wait_mask;
  struct ub_event events[256];
};

int ub_loop_init(struct ub_loop *l, enum ub_backend_kind kind);
void ub_loop_fini(struct ub_loop *l);

void ub_wait_init(struct ub_wait *w, void (*resume)(struct ub_wait *),
                  void *owner);

/*
 * Arm w on fd (fd < 0: no fd) for dir (UB_IN or UB_OUT) until deadline
 * (UB_NEVER: none).  Returns 0 when armed, a positive event mask when an
 * edge recorded earlier is consumed at once (nothing armed), or -errno.
 */
int ub_loop_arm(struct ub_loop *l, struct ub_wait *w, int fd, unsigned dir,
                uint64_t deadline);

/*
 * Resume w with result from any thread, unless something else claimed it
 * first.  Returns whether this call claimed it.  From another thread the
 * wait is handed to its loop's inbox and the loop is woken.
 */
bool ub_loop_post(struct ub_wait *w, int result);

/*
 * ub_loop_post, but the doorbell of another thread's loop is left to the
 * caller: that loop's bit (share.h's slot) is set in *ring, and the
 * caller passes *ring to ub_loop_ring once it has dropped its spinlocks.
 * The write that wakes a sleeping carrier can hand it the CPU at once;
 * made under a spinlock, it leaves the lock held by a preempted thread,
 * and every other carrier spins on it for the rest of a time slice.
 */
bool ub_loop_post_defer(struct ub_wait *w, int result, uint64_t *ring);
void ub_loop_ring(uint64_t ring);

/*
 * Pass readiness on: wake the next waiter on fd for dir, if any.  Plain
 * readiness wakes one waiter, and an edge-triggered backend reports no new
 * edge for data already there.  So a woken caller whose retry succeeded
 * calls this: there may be more, and only a later waiter can tell (it
 * retries, and parks again on EAGAIN).  Returns waiters woken (0 or 1).
 */
int ub_loop_pass(struct ub_loop *l, int fd, unsigned dir);

/*
 * The drained hint, which saves a read that would only say EAGAIN.  A
 * caller whose read of fd (the file it knows by `tag`) came back short,
 * on a socket where that means the receive queue is now empty (TCP: the
 * hooks decide), calls ub_loop_drained.  Until the next readable edge,
 * ub_loop_empty then says so, and the caller's next read parks at once
 * instead of trying first.  It says whether it marked the fd: if not (a
 * final file, say), the short read proves nothing, and the caller passes
 * readiness on as after any read.  After RDHUP, HUP, ERR or PRI (urgent data
 * stops a TCP read short of what follows) the file is never presumed
 * empty again.  It takes an edge-triggered registration: every byte that
 * arrives after the read then brings an edge.  No edge can be dispatched
 * between the read and the mark, as both happen on the loop's thread in
 * one run of one green thread.
 */
bool ub_loop_drained(struct ub_loop *l, int fd, uint32_t tag);
bool ub_loop_empty(const struct ub_loop *l, int fd, uint32_t tag);

/*
 * Before waiting on fd: make sure l's state for fd is for the file the
 * caller knows by `tag` (a number the caller bumps whenever fd names a new
 * file).  State left from an older file is forgotten first, as
 * ub_loop_forget does.  The first time l learns of fd, any other loop that
 * knows it is asked to drop it if nobody waits there (share.h).  0 or
 * -ENOMEM.
 */
int ub_loop_bind(struct ub_loop *l, int fd, uint32_t tag);

/*
 * fd (with tag, as bound) is being closed: ub_loop_forget it on every
 * loop that knows it.  The caller's own loop forgets it at once; the
 * others are sent a message and forget it on their next tick, unless they
 * have bound fd to a newer file by then.  Any thread may call it.
 */
void ub_loop_forget_all(int fd, uint32_t tag);

/*
 * Wake every waiter on fd with -EBADF and drop its state.  Call it before
 * closing fd (or dup2-ing onto it), and on any fd number a call has just
 * returned (socket, accept, pipe, open, dup...) that the loop may still
 * know: an fd closed where no hook saw it (inside glibc) would otherwise
 * leave its old registration standing in for the new file.
 */
void ub_loop_forget(struct ub_loop *l, int fd);

/*
 * One tick: flush changes and wait (if block: until the next timer or a
 * wake-up; else not at all), fire due timers, then dispatch fd events and
 * posted waits.  Returns the number of waits resumed, or -errno.
 */
int ub_loop_tick(struct ub_loop *l, bool block);

/*
 * Withdraw w, armed on l, if nothing resumed it yet: claim it and take it
 * off its fd list and the timer heap.  Returns whether it was withdrawn;
 * false means it was (or is being) resumed.  Loop thread only.  Used by a
 * green thread that armed several waits at once (poll) and was resumed
 * through one of them.
 */
bool ub_loop_cancel(struct ub_loop *l, struct ub_wait *w);

/*
 * In a child after fork(): the parent's epoll instance and eventfd are
 * shared with the child, so drop them (closing the child's copies only)
 * and every fd registration, timer and posted wait with them, and build
 * fresh ones.  Waits of green threads that did not survive the fork are
 * abandoned, not resumed.  0 or -errno.
 */
int ub_loop_after_fork(struct ub_loop *l);

/* The calling thread drives l from now on (a handoff, loop/handoff.c). */
void ub_loop_own(struct ub_loop *l);

/*
 * Make a blocking tick on l return soon; async-signal-safe, any thread.
 * It writes the eventfd only when l may be asleep: a loop is "notified"
 * from the end of each poll until it next prepares to block, so posts to
 * a busy carrier cost no system call on either side.
 */
void ub_loop_wake(struct ub_loop *l);

/*
 * The owner is about to block in ub_loop_tick: from here on, posters ring
 * the doorbell.  Returns false if something was posted, or ub_loop_wake
 * called, since the owner last asked (then do not block).  An owner with flags
 * of its own that posters set before ringing (sched.c) re-reads them after this
 * call: a poster either sees the loop asleep and rings, or set its flag before
 * this call's store.
 */
bool ub_loop_sleepy(struct ub_loop *l);

/* Has another thread posted a wait that the next tick will resume? */
static inline bool ub_loop_has_posts(struct ub_loop *l)
{
  return atomic_load_explicit(&l->inbox, memory_order_relaxed) != NULL;
}

/* The monotonic time read at the start of the current tick. */
static inline uint64_t ub_loop_now(const struct ub_loop *l)
{
  return l->now;
}

#endif
