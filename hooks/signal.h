/*
 * signal.h - signal dispositions and masks for green threads.
 */
#ifndef UB_SIGNAL_H
#define UB_SIGNAL_H

#include <signal.h>
#include <stdint.h>

#include "sched.h"

/* A carrier is allocated with this many bytes after its struct ub_sched,
 * for the siginfo of its deferred signals. */
size_t ub_sig_carrier_extra(void);

/* Make the carrier's scheduler hand deferred signals to green threads. */
void ub_sig_carrier_init(struct ub_sched *s);
/* s runs the main thread (s->first), or NULL: nobody does (after a fork
 * from another thread).  Signals for the process go to it first. */
void ub_sig_main_carrier(struct ub_sched *s);

/* For ppoll, pselect, epoll_pwait: the calling green thread's mask becomes
 * *mask (if not NULL) for the wait; then the old one is restored.  Returns
 * -EINTR if a signal the new mask lets in was handled at once, else 0. */
int ub_sig_swap_mask(const sigset_t *mask, uint64_t *old);
void ub_sig_restore_mask(const sigset_t *mask, uint64_t old);

/*
 * The signal that kicks an offload helper out of a blocking call
 * (offload.c).  Once reserved, its real handler is always ours: a helper
 * ignores it, and anyone else gets the program's disposition for it
 * (docs/limits.md).
 */
#define UB_SIG_KICK SIGRTMAX
void ub_sig_kick_reserve(void);
/* Kick the helper thread tid. */
void ub_sig_kick(pid_t tid);

/*
 * Take sig for unblock (UNBLOCK_PROFILE_SIGNAL, UNBLOCK_DUMP_SIGNAL): fn
 * runs on it, in the signal handler, and then the program's own handler
 * if it set one.  The program still sees its own disposition.
 */
void ub_sig_reserve(int sig, void (*fn)(int));
/*
 * fn runs before a deadly signal (SIGINT, SIGTERM, SIGHUP...) that the
 * program leaves at SIG_DFL ends the process, which then dies of it as it
 * would have: how a profile survives Ctrl-C.  fn must be
 * async-signal-safe.
 */
void ub_sig_on_death(void (*fn)(void));

#endif
