/*
 * deadline.h - the timeouts programs pass, as the loop's deadlines.
 *
 * The loop knows one clock: absolute CLOCK_MONOTONIC nanoseconds, UB_NEVER
 * for none (loop/clock.h).  Programs pass relative timespecs and
 * timevals, millisecond counts, and absolute times on CLOCK_REALTIME or
 * CLOCK_MONOTONIC; these convert them, and reject what the kernel or
 * glibc rejects (EINVAL), in one place.  An absolute time on the wall
 * clock is converted when the call starts: a later jump of the wall clock
 * does not move it (docs/limits.md).
 */
#ifndef UB_DEADLINE_H
#define UB_DEADLINE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/time.h>
#include <time.h>

/* An absolute time on clock (any clock_gettime knows; the caller checks
 * which its call accepts); 0 or -EINVAL. */
int ub_deadline_abs(clockid_t clock, const struct timespec *abs,
                    uint64_t *deadline);

/* now + ts (NULL: UB_NEVER); 0 or -EINVAL for a negative or malformed
 * ts. */
int ub_deadline_rel(const struct timespec *ts, uint64_t *deadline);

/* now + tv, for select (NULL: UB_NEVER); 0 or -EINVAL. */
int ub_deadline_tv(const struct timeval *tv, uint64_t *deadline);

/* now + ms; a negative count is no deadline (poll, epoll_wait). */
uint64_t ub_deadline_ms(int ms);

/* A zero timeout: check once, never wait. */
static inline bool ub_timespec_zero(const struct timespec *ts)
{
  return ts != NULL && ts->tv_sec == 0 && ts->tv_nsec == 0;
}

#endif
