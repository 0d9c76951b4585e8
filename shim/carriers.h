/*
 * carriers.h - the carrier threads: the first (the main thread, adopted
 * by init.c) and the others, started when the program first creates a
 * thread.
 */
#ifndef UB_CARRIERS_H
#define UB_CARRIERS_H

#include "config.h"
#include "sched.h"

/* Remember what the carriers are to be, before the first one starts. */
void ub_carriers_setup(const struct ub_config *cfg);

/* Start the carriers beyond the first, once; later calls return at once.
 * A carrier that cannot start is reported (UNBLOCK_VERBOSE) and left
 * out: the program runs on fewer, never fails for it. */
void ub_carriers_start(void);

/* A carrier's on_empty: the last green thread of the process has exited. */
_Noreturn void ub_carriers_last_exit(struct ub_sched *s);

/* In the child after fork: only the calling carrier is left, and the
 * others start again with the child's next thread. */
void ub_carriers_after_fork(void);

#endif
