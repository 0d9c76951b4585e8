/*
 * offload.h - run a call that would block the carrier, with no fd to wait
 * on, on a helper thread while the green thread parks.
 */
#ifndef UB_OFFLOAD_H
#define UB_OFFLOAD_H

/*
 * Run fn(arg) on a helper thread; the calling green thread parks until it
 * returns.  Returns fn's result with errno as fn left it.  For a caller
 * that is not a green thread, or when no helper can be started, fn runs
 * right here.  The wait is not interrupted by signals (docs/limits.md).
 */
long ub_offload(long (*fn)(void *), void *arg);

#endif
