/*
 * clock.h - the one monotonic clock of the runtime.
 *
 * Every deadline in unblock is an absolute CLOCK_MONOTONIC time in
 * nanoseconds, held in a uint64_t.  UB_NEVER (all ones) means "no deadline";
 * additions saturate so that "now + huge timeout" never wraps into the past.
 * clock_gettime() is served from the vDSO, so a read costs tens of
 * nanoseconds and no syscall; the loop still caches one read per tick.
 */
#ifndef UB_CLOCK_H
#define UB_CLOCK_H

#include <stdint.h>
#include <time.h>

#define UB_NEVER UINT64_MAX
#define UB_NSEC_PER_SEC 1000000000ull

static inline uint64_t ub_clock_now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * UB_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* now + delta, saturating at UB_NEVER. */
static inline uint64_t ub_clock_after(uint64_t now, uint64_t delta)
{
  return delta >= UB_NEVER - now ? UB_NEVER : now + delta;
}

#endif
