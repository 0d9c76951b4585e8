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
 * any thread, so locks and joins span carriers.
 *
 * Several carriers: the ones that join the group (ub_sched_group_add)
 * share a count of live green threads, and new green threads can be
 * spawned onto any of them from any carrier (the least loaded, usually:
 * ub_sched_pick).  A green thread stays on the carrier it started on, so
 * its errno and TLS stay its own (NOTES.md).  Work for a carrier from
 * another thread arrives through its loop's inbox, or, for a green thread
 * to run, through its `remote` queue; both ring the loop's doorbell.
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

/* The low bit of a lease: its thread runs the program's own code. */
#define UB_LEASE_USER ((uintptr_t)1)

struct ub_stolen;

/* A request that a carrier's own context call fn(s, arg) between two
 * ticks of its loop (ub_sched_call); done turns 1 once it has returned. */
struct ub_sched_call {
  void (*fn)(struct ub_sched *s, void *arg);
  void *arg;
  atomic_int done;
};

struct ub_sched {
  struct ub_loop loop;
  /*
   * Who may touch this carrier: the token (ub_sched_token) of the OS
   * thread driving it, with UB_LEASE_USER set while the green thread it
   * runs is in the program's own code rather than ours.  Only then may
   * the monitor take the carrier away from a stuck thread and hand it to
   * another (loop/handoff.c); a thread that finds its lease gone waits to
   * get the carrier back (ub_sched_reclaim) before it touches anything.
   */
  _Atomic uintptr_t lease;
  atomic_ulong steps;    /* bumped at each switch: the monitor's pulse */
  const void *user_site; /* where the program last left our code */
  atomic_int stolen_lock;
  struct ub_stolen *stolen; /* threads it was taken from (handoff.c) */
  atomic_int want_back;     /* one of them wants it back */
  atomic_int idle;          /* waiting in its loop with nothing to run */
  _Atomic pid_t tid;        /* the driving thread's */
  struct ub_coro main;      /* the carrier's own context */
  struct ub_coro *current;
  struct ub_coro *leaving; /* last switched from: it may overflow mid-switch */
  struct ub_coro *rq_head, *rq_tail;
  size_t live; /* green threads started here and not yet exited */
  /* Green threads placed here and not yet exited, counting those still
   * on their way through `remote`: what ub_sched_pick compares. */
  atomic_uint load;
  /* Green threads spawned here from other carriers, to be run (a stack,
   * linked through rq_next). */
  _Atomic(struct ub_coro *) remote;
  int index;       /* in the group, or -1 */
  unsigned budget; /* direct switches left before main gets a turn */
  /* What an exiting green thread leaves for the next context to free. */
  struct ub_stack dead_stack;
  struct ub_coro *dead_coro;
  void *scratch_sp;
  struct ub_stack_pool pool;
  void *altstack;
  struct ub_coro *all;   /* every live green thread, newest first */
  struct ub_coro *first; /* the adopted thread, kept for a late join */
  uint64_t real_mask;    /* the carrier thread's signal mask, as last set */
  /* How many live green threads block each signal; a signal every one of
   * them blocks stays blocked while the carrier waits on the loop, and any
   * other is let in, to be handed to a thread that takes it. */
  unsigned blocked[64];
  uint64_t idle_mask;
  /* Signals that landed while the carrier's own context ran: the handler
   * only records them here, and the scheduler passes them to on_signals
   * (hooks/signal.c) between ticks, where it is safe to resume waits. */
  _Atomic uint64_t deferred;
  /* Set by a signal handler that changed something green threads wait
   * for (sem_post): on_signals then lets them look again. */
  atomic_int poked;
  void (*on_signals)(struct ub_sched *s);
  _Atomic(struct ub_sched_call *) call; /* ub_sched_call's request */
  /* While ub_sched_peek runs: what the peeked thread calls. */
  void (*peek_fn)(struct ub_coro *c, void *arg);
  void *peek_arg;
  /* A switch onto a green thread with sigpending set calls this first. */
  void (*on_pending)(struct ub_coro *c);
  /* An adopted carrier (ub_sched_adopt) calls this when its last green
   * thread has exited; it must not return. */
  void (*on_empty)(struct ub_sched *s);
};

/* Make the calling thread a carrier.  0, -EBUSY if it already is one, or
 * -errno. */
int ub_sched_init(struct ub_sched *s, const struct ub_sched_config *cfg);
void ub_sched_fini(struct ub_sched *s);
/* Run green threads until none is left (for a carrier in the group: none
 * in the whole group): 0, or -errno from the loop, or UB_SCHED_HANDED_BACK
 * when this thread gave the carrier back to one it was taken from
 * (handoff.c): then it no longer drives it. */
int ub_sched_run(struct ub_sched *s);
#define UB_SCHED_HANDED_BACK 1

/* Add s, ub_sched_init'ed by its own thread, to the group; -EAGAIN when
 * the group is full.  The number of carriers in it, and the one in slot i
 * (0 to 63), or NULL. */
int ub_sched_group_add(struct ub_sched *s);
int ub_sched_group_size(void);
struct ub_sched *ub_sched_group_at(int i);
/* The carrier a new green thread should start on: the least loaded one
 * of the group, with `self` winning ties. */
struct ub_sched *ub_sched_pick(struct ub_sched *self);
/* Make s look at its green threads' flags between ticks (on_signals):
 * from any thread, and from a signal handler. */
void ub_sched_poke(struct ub_sched *s);
void ub_sched_poke_all(void);

/*
 * Have s's own context call r->fn(s, r->arg) at its next turn, from any
 * thread.  False if another request is still waiting there.  Withdraw it
 * with ub_sched_uncall, which returns false once the call has begun: then
 * wait for r->done before r goes away.
 */
bool ub_sched_call(struct ub_sched *s, struct ub_sched_call *r);
bool ub_sched_uncall(struct ub_sched *s, struct ub_sched_call *r);

/*
 * From s's own context (an ub_sched_call function): run fn(c, arg) on the
 * stack of c, one of s's green threads that the scheduler switched out,
 * so that fn sees c's frames above it (backtrace), then come back.  c is
 * not resumed: its state, signals and wait are left alone.  False, and
 * fn is not called, if c is not switched out (not started yet, or running
 * on another OS thread after a handoff), or if c's stack has less than
 * 32 KiB left below it.
 */
bool ub_sched_peek(struct ub_coro *c, void (*fn)(struct ub_coro *c, void *arg),
                   void *arg);

/*
 * Turn the running context of this carrier (already ub_sched_init'ed) into
 * its first green thread, *self, running on the thread's own stack, and
 * give the scheduler a stack of its own: from now on, when the caller
 * parks, the scheduler runs the others.  When the last green thread has
 * exited, the scheduler calls on_empty.  0 or -errno.
 */
int ub_sched_adopt(struct ub_sched *s, struct ub_coro **self,
                   void (*on_empty)(struct ub_sched *s));

/*
 * In the child after fork(), called by the one green thread that survived
 * it: forget every other green thread (as fork forgets every other
 * thread) and every other carrier, and give this one a fresh loop.
 * 0 or -errno.
 */
int ub_sched_after_fork(struct ub_sched *s);

/* The calling thread's scheduler, or NULL if it is not a carrier. */
struct ub_sched *ub_sched_self(void);

/*
 * Start fn(arg) as a green thread on s, with a stack of stack_size bytes
 * (0: the default), detached or joinable.  *out (if out is not NULL) and
 * the thread's `ext` are set before it can run.  0 or -errno.
 * Any carrier thread may call it, for any carrier of the group; the stack
 * comes from the caller's pool.
 */
int ub_sched_spawn(struct ub_sched *s, struct ub_coro **out,
                   void *(*fn)(void *), void *arg, size_t stack_size, void *ext,
                   bool detached);
/* The same on a stack the caller provides and keeps ([lo, lo + size)). */
int ub_sched_spawn_on(struct ub_sched *s, struct ub_coro **out,
                      void *(*fn)(void *), void *arg, void *lo, size_t size,
                      void *ext, bool detached);
void ub_sched_yield(void);
/* End the calling green thread; ret goes to its joiner. */
_Noreturn void ub_sched_exit(void *ret);
/*
 * Wait for c to end until deadline (UB_NEVER: no limit; 0: do not wait),
 * take its return value and free it.  0, -EDEADLK (c is the caller),
 * -EINVAL (detached, or joined by another), -EBUSY (deadline 0 and c still
 * runs), -ETIMEDOUT, -EINTR or -ECANCELED (the wait was cut short, see
 * ub_sched_park_intr; c stays joinable), or -EPERM when the caller is not
 * a green thread.
 */
int ub_sched_join(struct ub_coro *c, void **ret, uint64_t deadline);
int ub_sched_detach(struct ub_coro *c);

/* Clock every park into the green thread's parked_ns (the profile).  Set
 * once, before any green thread parks. */
extern bool ub_sched_clock_parks;

/* Prepare w so that resolving it resumes the calling green thread. */
void ub_sched_wait_init(struct ub_wait *w);
/* Switch out until w (armed on this carrier's loop) is resolved. */
int ub_sched_park(struct ub_wait *w);
/*
 * The same, but a signal or a cancel may cut the wait short: while parked,
 * c->intr_wait names w, and whoever interrupts posts it (-EINTR).
 */
int ub_sched_park_intr(struct ub_wait *w);
/* Park on fd for dir until deadline: > 0 events, or -errno (loop.h).
 * Interruptible, as every fd wait is. */
int ub_sched_wait_fd(int fd, unsigned dir, uint64_t deadline);
/* After a successful retry that followed a wake-up: ub_loop_pass. */
int ub_sched_pass(int fd, unsigned dir);
/* Park until the monotonic deadline.  0, -EINTR, or -errno. */
int ub_sched_sleep(uint64_t deadline);

/* c's signal mask is now mask (bit sig-1).  The caller has already set
 * the carrier's real mask if c is running. */
void ub_sched_set_sigmask(struct ub_coro *c, uint64_t mask);

/* The calling thread's scheduler, for inline fast paths. */
extern __thread struct ub_sched *ub_sched_tls
    __attribute__((tls_model("initial-exec")));

/* The calling OS thread's token: its thread pointer, read afresh (a green
 * thread may resume on another OS thread after a handoff). */
static inline uintptr_t ub_sched_token(void)
{
  uintptr_t t;
  __asm__ volatile("mov %%fs:0, %0" : "=r"(t));
  return t;
}

/* The carrier s was taken from this thread while its green thread ran the
 * program's code: wait until it is handed back (loop/handoff.c).  The
 * lease is then this thread's, held (in_user false) or not. */
void ub_sched_reclaim(struct ub_sched *s, bool in_user);

/*
 * A green thread enters the runtime's code (a hook), or leaves it for the
 * program's.  Enter returns false in the carrier's own context, which is
 * always the runtime's.  They nest; the outermost pair takes and releases
 * the lease.
 */
static inline bool ub_sched_enter(struct ub_sched *s)
{
  uintptr_t me = ub_sched_token(), l = me | UB_LEASE_USER;
  if (!atomic_compare_exchange_strong_explicit(
          &s->lease, &l, me, memory_order_acquire, memory_order_relaxed)) {
    if (l == me && s->current == &s->main)
      return false;
    if (l != me)
      ub_sched_reclaim(s, false);
  }
  s->current->depth++;
  return true;
}

static inline void ub_sched_leave(struct ub_sched *s, const void *site)
{
  if (--s->current->depth == 0) {
    s->user_site = site;
    atomic_store_explicit(&s->lease, ub_sched_token() | UB_LEASE_USER,
                          memory_order_release);
  }
}

/* The running green thread, or NULL on a non-carrier or in the carrier's
 * own context. */
static inline struct ub_coro *ub_sched_current(void)
{
  struct ub_sched *s = ub_sched_tls;
  if (s == NULL)
    return NULL;
  if (__builtin_expect((atomic_load_explicit(&s->lease, memory_order_relaxed) &
                        ~UB_LEASE_USER) != ub_sched_token(),
                       0))
    ub_sched_reclaim(s, true);
  return s->current != &s->main ? s->current : NULL;
}

#endif
