/*
 * deadline.c - converting timeouts to deadlines (deadline.h).
 */
#include "deadline.h"

#include <errno.h>

#include "clock.h"

static bool valid(const struct timespec *ts)
{
  return ts->tv_nsec >= 0 && ts->tv_nsec < (long)UB_NSEC_PER_SEC;
}

static uint64_t after(uint64_t sec, uint64_t nsec)
{
  uint64_t now = ub_clock_now();
  if (sec >= UB_NEVER / UB_NSEC_PER_SEC)
    return UB_NEVER;
  return ub_clock_after(now, sec * UB_NSEC_PER_SEC + nsec);
}

int ub_deadline_abs(clockid_t clock, const struct timespec *abs,
                    uint64_t *deadline)
{
  struct timespec now;
  if (!valid(abs) || clock_gettime(clock, &now) != 0)
    return -EINVAL;
  int64_t ns = (int64_t)(abs->tv_sec - now.tv_sec) * (int64_t)UB_NSEC_PER_SEC +
               (abs->tv_nsec - now.tv_nsec);
  uint64_t mono = ub_clock_now();
  *deadline = ns <= 0 ? mono : ub_clock_after(mono, (uint64_t)ns);
  return 0;
}

int ub_deadline_rel(const struct timespec *ts, uint64_t *deadline)
{
  if (ts == NULL) {
    *deadline = UB_NEVER;
    return 0;
  }
  if (!valid(ts) || ts->tv_sec < 0)
    return -EINVAL;
  *deadline = after((uint64_t)ts->tv_sec, (uint64_t)ts->tv_nsec);
  return 0;
}

int ub_deadline_tv(const struct timeval *tv, uint64_t *deadline)
{
  if (tv == NULL) {
    *deadline = UB_NEVER;
    return 0;
  }
  if (tv->tv_sec < 0 || tv->tv_usec < 0)
    return -EINVAL;
  /* The kernel normalises tv_usec of a million or more. */
  uint64_t usec = (uint64_t)tv->tv_usec;
  *deadline =
      after((uint64_t)tv->tv_sec + usec / 1000000, usec % 1000000 * 1000);
  return 0;
}

uint64_t ub_deadline_ms(int ms)
{
  return ms < 0 ? UB_NEVER
                : after((uint64_t)ms / 1000, (uint64_t)ms % 1000 * 1000000);
}
