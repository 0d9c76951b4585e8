/*
 * offload.h - calls that would block the carrier with nothing to wait on
 * (name lookups, regular files, locks, children), run on a bounded pool
 * of helper threads while the calling green thread parks.
 *
 * Every such call is one row of offload.def, which describes it to libffi;
 * one mechanism (ffi_call) then makes any of them on a helper.
 */
#ifndef UB_OFFLOAD_H
#define UB_OFFLOAD_H

#include <stdbool.h>
#include <stdint.h>

/* A row's flags (offload.def says what each means). */
#define UB_OFF_INTR 1   /* handlers interrupt it (EINTR), as natively */
#define UB_OFF_HERRNO 2 /* it reports through h_errno */
#define UB_OFF_MASK 4   /* it runs with the caller's signal mask */
#define UB_OFF_CANCEL 8 /* a cancellation point: a cancel cuts it short */

enum ub_off_id {
#define UB_OFFLOAD(name, ...) UB_OFF_##name,
#include "offload.def"
#undef UB_OFFLOAD
  UB_OFF_COUNT
};

/* The pool's bound (UNBLOCK_OFFLOAD_THREADS), before the first call. */
void ub_offload_setup(unsigned max_threads);

/*
 * Make call `id` with args (a pointer to each argument, as libffi takes
 * them) and return its result, widened to 64 bits (cast it back to the
 * call's type), with errno, and h_errno for UB_OFF_HERRNO rows, as the call
 * left them.  A green thread parks meanwhile; any other caller makes the
 * call right here.  An interruptible call cut short by a signal handler
 * returns -1 with errno EINTR, or is restarted under SA_RESTART, exactly
 * as natively; a cancel is acted on after it.
 */
uint64_t ub_offload(enum ub_off_id id, void **args);

/* The same for a call that is usually quick (the open of a regular file),
 * which an interruptible row's call may be: the caller first watches it
 * for a few microseconds before parking, as for any row that is not
 * interruptible, and a handler that runs in that moment does not cut it
 * short. */
uint64_t ub_offload_quick(enum ub_off_id id, void **args);

/* In the child after fork: the helpers did not survive it. */
void ub_offload_after_fork(void);

/* Is the calling thread one of the helpers? */
bool ub_offload_helper(void);

#endif
